import { describe, expect, it } from 'vitest';
import { LocalIdentifyGate } from '../../../shard-host/gateway/identify-gate.ts';
import { FakeClock, flush } from './fakes.ts';

describe('LocalIdentifyGate', () => {
  it('32 shards at max_concurrency 4: one identify per bucket per 5 s, buckets in parallel', async () => {
    const clock = new FakeClock(1_000_000);
    const gate = new LocalIdentifyGate({ maxConcurrency: 4, marginMs: 0, spacing: 'send', clock });
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
    const gate = new LocalIdentifyGate({ maxConcurrency: 1, marginMs: 0, spacing: 'send', clock });
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
    const gate = new LocalIdentifyGate({ maxConcurrency: 2, windowMs: 5_000, spacing: 'send', clock });
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

  it("'answer' spacing: the next identify of a bucket waits for the previous one's answer, then a full window", async () => {
    const clock = new FakeClock();
    const gate = new LocalIdentifyGate({ maxConcurrency: 2, windowMs: 5_000, clock });
    const at: Record<number, number> = {};
    for (const id of [0, 2, 1]) void gate.acquire(id).then(() => (at[id] = clock.now()));
    await clock.advance(0);
    expect(at).toEqual({ 0: 0, 1: 0 }); // buckets 0 and 1 in parallel
    await clock.advance(300); // shard 0's READY arrives 300 ms later (a slow gateway or a busy loop)
    gate.answered(0);
    await clock.advance(5_000 - 1);
    expect(at[2]).toBeUndefined(); // not at 5 050 (grant + window + margin): the answer came late
    await clock.advance(1);
    expect(at[2]).toBe(5_300);
  });

  it("'answer' spacing: an identify never answered holds its bucket only until the answer timeout", async () => {
    const clock = new FakeClock();
    const gate = new LocalIdentifyGate({ maxConcurrency: 1, windowMs: 5_000, answerTimeoutMs: 15_000, clock });
    let second: number | undefined;
    await gate.acquire(0);
    void gate.acquire(1).then(() => (second = clock.now()));
    await clock.advance(14_999);
    expect(second).toBeUndefined();
    await clock.advance(1);
    expect(second).toBe(15_000);
  });

  it('answers from a shard that holds no grant change nothing', async () => {
    const clock = new FakeClock();
    const gate = new LocalIdentifyGate({ maxConcurrency: 1, windowMs: 5_000, marginMs: 0, clock });
    await gate.acquire(0);
    gate.answered(7);
    gate.answered(0);
    let next: number | undefined;
    void gate.acquire(1).then(() => (next = clock.now()));
    await clock.advance(5_000);
    expect(next).toBe(5_000);
  });
});
