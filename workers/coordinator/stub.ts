// The bot's one ShardCoordinator. Named after the bot's user id (the token's first segment, which is not
// secret), so resetting the token keeps the lease table; "default" when the token has no such segment.
import type { Env } from '../env.ts';

export function coordinatorName(token: string | undefined): string {
  const first = token?.split('.')[0];
  if (first) {
    try {
      const id = atob(first.replace(/-/g, '+').replace(/_/g, '/'));
      if (/^\d{5,20}$/.test(id)) return `discord:${id}`;
    } catch {
      // not base64: fall through
    }
  }
  return 'default';
}

export function coordinatorStub(env: Env) {
  return env.COORDINATOR.get(env.COORDINATOR.idFromName(coordinatorName(env.DISCORD_TOKEN)));
}
