import { describe, expect, it } from 'vitest';
import { LocalIdentifyGate } from '../../../shard-host/gateway/identify-gate.ts';
import { FakeClock, flush } from './fakes.ts';

describe('LocalIdentifyGate', () => {
  it('32 shards at max_concurrency 4: one identify per bucket per 5 s, buckets in parallel', async () => {
    const clock = new FakeClock(1_000_000);
    const gate = new LocalIdentifyGate({ maxConcurrency: 4, clock });
    const at = new Map<number, number>();
    for (let id = 0; id < 32; id++) void gate.acquire(id).then(() => at.set(id, clock.now() - 1_000_000));
    await clock.advance(60_000);
    expect(at.size).toBe(32);
    for (let bucket = 0; bucket < 4; bucket++) {
      const times = [...at].filter(([id]) => id % 4 === bucket).map(([, t]) => t);
      expect(times).toEqual([0, 5_000, 10_000, 15_000, 20_000, 25_000, 30_000, 35_000]);
    }
    expect(Math.max(...at.values())).toBe((32 / 4 - 1) * 5_000);
  });

  it('an aborted waiter gives its turn to the next one', async () => {
    const clock = new FakeClock();
    const gate = new LocalIdentifyGate({ maxConcurrency: 1, clock });
    const at: Record<string, number> = {};
    await gate.acquire(0);
    const ac = new AbortController();
    const a = gate.acquire(1, ac.signal);
    void gate.acquire(2).then(() => (at.two = clock.now()));
    ac.abort(new Error('stopped'));
    await expect(a).rejects.toThrow('stopped');
    await clock.advance(10_000);
    expect(at.two).toBe(5_000);
  });

  it('a bucket idle for a window lets the next identify go at once', async () => {
    const clock = new FakeClock();
    const gate = new LocalIdentifyGate({ maxConcurrency: 2, windowMs: 5_000, clock });
    await gate.acquire(1);
    await clock.advance(7_000);
    let done = false;
    void gate.acquire(3).then(() => (done = true));
    await flush();
    expect(done).toBe(true);
  });

  it('rejects a bad max_concurrency', () => {
    expect(() => new LocalIdentifyGate({ maxConcurrency: 0 })).toThrow(RangeError);
  });
});
