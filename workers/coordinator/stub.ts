// One ShardCoordinator per bot and platform: Discord's is named after the bot's user id (the token's first
// segment, which is not secret), so resetting the token keeps the lease table ("default" when the token has
// no such segment); QQ's after the AppID (`qq:{QQ_APP_ID}`). Shard ids, leases, identify queues and
// delivery ledgers are each platform's own: QQ's shard 0 is not Discord's.
import { EdgeshardError, ERROR_CODES, gatewayOriginOf, GATEWAY_HOSTS, type Platform } from '../../protocol/index.ts';
import type { Env } from '../env.ts';

/** Set by routes/coordinator.ts on the upgrade it forwards: which platform the connecting host leases for. */
export const PLATFORM_HEADER = 'x-edgeshard-platform';

export const PLATFORMS: readonly Platform[] = ['discord', 'qq'];

export function isPlatform(value: unknown): value is Platform {
  return typeof value === 'string' && (PLATFORMS as readonly string[]).includes(value);
}

/** `?platform=` of GET /coordinator/connect: discord when absent. */
export function platformParam(value: string | undefined): Platform {
  if (value === undefined || value === '') return 'discord';
  if (isPlatform(value)) return value;
  throw new EdgeshardError(
    ERROR_CODES.LEASE_PROTOCOL,
    `unknown platform "${value.slice(0, 40)}": use ?platform=discord or ?platform=qq (run the same edgeshard version on hosts and Worker)`,
  );
}

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

/** The coordinator instance's name for `platform`. */
export function coordinatorNameFor(env: Env, platform: Platform): string {
  return platform === 'qq' ? `qq:${env.QQ_APP_ID || 'default'}` : coordinatorName(env.DISCORD_TOKEN);
}

export function coordinatorStub(env: Env, platform: Platform = 'discord') {
  return env.COORDINATOR.get(env.COORDINATOR.idFromName(coordinatorNameFor(env, platform)));
}

/** What a resume URL on `platform`'s coordinator may point at: the platform's gateway hosts, or the origin of
 *  its configured API (where an emulator serves the gateway). */
export function gatewayTrust(env: Env, platform: Platform): { origins: (string | null)[]; hosts: readonly string[] } {
  const api = platform === 'qq' ? env.QQ_API_URL : env.DISCORD_API_URL;
  return { origins: api ? [gatewayOriginOf(api)] : [], hosts: GATEWAY_HOSTS[platform] };
}
