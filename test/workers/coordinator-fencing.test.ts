// Fencing without a Durable Object round trip per event: the per-isolate epoch cache.
import { describe, expect, it } from 'vitest';
import { EpochCache, type EpochSource } from '../../workers/fencing/epochs.ts';

function source(epochs: Record<number, number>): EpochSource & { calls: number[][] } {
  const calls: number[][] = [];
  return {
    calls,
    epochs: async (shards) => (calls.push(shards), Object.fromEntries(shards.map((s) => [s, epochs[s] ?? 0]))),
  };
}

describe('EpochCache', () => {
  it('asks the coordinator once, then serves batches at the cached epoch without asking', async () => {
    const cache = new EpochCache(5_000);
    const src = source({ 0: 3 });
    expect(await cache.check([0], 3, src, 0)).toEqual({ ok: true });
    expect(await cache.check([0, 0], 3, src, 100)).toEqual({ ok: true });
    expect(src.calls).toEqual([[0]]);
  });

  it('refuses a batch below the cached epoch at once, with no lookup', async () => {
    const cache = new EpochCache(5_000);
    const src = source({ 0: 3 });
    await cache.check([0], 3, src, 0);
    expect(await cache.check([0], 2, src, 10)).toEqual({ ok: false, shard: 0, current: 3 });
    expect(src.calls).toHaveLength(1);
  });

  it('refreshes when a batch carries a newer epoch, which then fences the old owner', async () => {
    const cache = new EpochCache(5_000);
    const epochs = { 0: 3 };
    const src = source(epochs);
    await cache.check([0], 3, src, 0);
    epochs[0] = 4; // handed over
    expect(await cache.check([0], 4, src, 10)).toEqual({ ok: true });
    expect(await cache.check([0], 3, src, 20)).toEqual({ ok: false, shard: 0, current: 4 });
    expect(src.calls).toHaveLength(2);
  });

  it('re-checks after the TTL, which bounds how long a stale owner can pass in a quiet isolate', async () => {
    const cache = new EpochCache(5_000);
    const epochs = { 0: 3 };
    const src = source(epochs);
    await cache.check([0], 3, src, 0);
    epochs[0] = 4;
    expect(await cache.check([0], 3, src, 4_999)).toEqual({ ok: true });
    expect(await cache.check([0], 3, src, 5_000)).toEqual({ ok: false, shard: 0, current: 4 });
  });

  it('accepts epoch 0 while no coordinator assigns the shard (static single-host mode)', async () => {
    const cache = new EpochCache(5_000);
    expect(await cache.check([0, 1], 0, source({}), 0)).toEqual({ ok: true });
  });
});
