// The burst every client sends, and the least time any client could take for it given the limits: per
// bucket (ceil(n / limit) - 1) windows after the first request, and the same for the global limit; the
// minimum is the largest of these (a lower bound, so a ratio near 1 is as good as it gets).
import type { Emulator } from '../../emulator/index.ts';

export interface Call {
  method: 'POST' | 'PUT';
  path: string;
  body?: unknown;
  /** Limiter bucket for the lower bound; undefined: only the global limit (or none) applies. */
  bucket: string | undefined;
  global: boolean;
}

export const LIMITS = { messages: { limit: 5, windowMs: 1000 }, reactions: { limit: 1, windowMs: 250 }, global: 50 };

/** One hot channel, many ordinary ones, a run of reactions, interaction callbacks. */
export async function burst(
  emulator: Emulator,
  guildOffset: number,
  seedMessage: (channel: string) => Promise<string>,
): Promise<Call[]> {
  const channels = emulator.world.guilds
    .slice(guildOffset, guildOffset + 21)
    .flatMap((g) => g.channels.slice(0, 1).map((c) => c.id));
  const [hot, ...others] = channels as [string, ...string[]];
  const reactionChannel = emulator.world.guilds[guildOffset]!.channels[1]!.id;
  const message = await seedMessage(reactionChannel);
  const calls: Call[] = [];
  for (let i = 0; i < 30; i++)
    calls.push({
      method: 'POST',
      path: `/channels/${hot}/messages`,
      body: { content: `hot ${i}` },
      bucket: `m:${hot}`,
      global: true,
    });
  for (const c of others)
    for (let i = 0; i < 10; i++)
      calls.push({
        method: 'POST',
        path: `/channels/${c}/messages`,
        body: { content: `m ${i}` },
        bucket: `m:${c}`,
        global: true,
      });
  for (let i = 0; i < 20; i++) {
    calls.push({
      method: 'PUT',
      path: `/channels/${reactionChannel}/messages/${message}/reactions/${encodeURIComponent(String.fromCodePoint(0x1f600 + i))}/@me`,
      bucket: `r:${reactionChannel}`,
      global: true,
    });
  }
  for (let i = 0; i < 40; i++)
    calls.push({
      method: 'POST',
      path: `/interactions/${1200000000000000000n + BigInt(guildOffset * 100 + i)}/t${i}/callback`,
      body: { type: 4, data: { content: 'ok' } },
      bucket: undefined,
      global: false,
    });
  return calls;
}

export function theoreticalMinMs(calls: Call[]): number {
  const perBucket = new Map<string, number>();
  for (const c of calls) if (c.bucket) perBucket.set(c.bucket, (perBucket.get(c.bucket) ?? 0) + 1);
  let min = 0;
  for (const [bucket, n] of perBucket) {
    const { limit, windowMs } = bucket.startsWith('r:') ? LIMITS.reactions : LIMITS.messages;
    min = Math.max(min, (Math.ceil(n / limit) - 1) * windowMs);
  }
  const global = calls.filter((c) => c.global).length;
  return Math.max(min, (Math.ceil(global / LIMITS.global) - 1) * 1000);
}
