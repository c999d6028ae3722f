// A restarted host sends what its spool recovered only once its lease is settled (run-platform.ts): a batch
// sent before the assignments arrive carries epoch 0 and is fenced even for shards the host takes back.
// Time is a counter advanced by each status() poll, so the number of polls is exact.
import { describe, expect, it } from 'vitest';
import type { LeaseStatus } from '../../../shard-host/lease/index.ts';
import { leaseSettled } from '../../../shard-host/run-platform.ts';

function polls(script: (poll: number) => Pick<LeaseStatus, 'confirmed' | 'held'>, maxMs: number) {
  let t = 0;
  let calls = 0;
  const status = (): LeaseStatus => {
    calls++;
    t += 50;
    return { connected: true, waiting: null, ...script(calls) };
  };
  return leaseSettled(status, maxMs, 0, () => t).then(() => calls);
}

describe('leaseSettled', () => {
  it('resolves once the confirmed lease has held the same shards for 250 ms', async () => {
    expect(await polls(() => ({ confirmed: true, held: [0, 1] }), 5_000)).toBe(6);
  });

  it('waits for the assignment burst to end before counting', async () => {
    const held = (n: number) => (n <= 2 ? [] : n <= 4 ? [0] : [0, 1]);
    expect(await polls((n) => ({ confirmed: true, held: held(n) }), 5_000)).toBe(10);
  });

  it('gives up at the deadline when the lease never settles (no shard for this host, or no coordinator)', async () => {
    expect(await polls(() => ({ confirmed: false, held: [] }), 1_000)).toBe(20);
    expect(await polls(() => ({ confirmed: true, held: [] }), 1_000)).toBe(20);
  });
});
