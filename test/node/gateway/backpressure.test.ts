import { describe, expect, it } from 'vitest';
import { Backpressure, type Depth } from '../../../shard-host/gateway/backpressure.ts';
import { FakeClock } from './fakes.ts';

function setup(high: Depth = { events: 100, bytes: 10_000 }) {
  const clock = new FakeClock();
  const depth: Depth = { events: 0, bytes: 0 };
  const calls: string[] = [];
  const bp = new Backpressure({
    high,
    depth: () => depth,
    pause: () => calls.push('pause'),
    resume: () => calls.push('resume'),
    clock,
    sampleEvery: 1,
    pollMs: 50,
  });
  return { clock, depth, calls, bp };
}

describe('backpressure (spool depth → socket reading)', () => {
  it('pauses at the high-water mark of events, resumes at half (hysteresis)', () => {
    const { depth, calls, bp } = setup();
    depth.events = 99;
    bp.appended();
    expect(calls).toEqual([]);
    depth.events = 100;
    bp.appended();
    expect(calls).toEqual(['pause']);
    depth.events = 51;
    bp.check();
    expect(calls).toEqual(['pause']);
    depth.events = 50;
    bp.check();
    expect(calls).toEqual(['pause', 'resume']);
    expect(bp.paused).toBe(false);
  });

  it('pauses on bytes too', () => {
    const { depth, calls, bp } = setup();
    depth.bytes = 10_000;
    bp.appended();
    expect(calls).toEqual(['pause']);
  });

  it('while paused it polls, so it resumes even if no acknowledgement calls check()', async () => {
    const { clock, depth, calls, bp } = setup();
    depth.events = 200;
    bp.check();
    depth.events = 0;
    await clock.advance(49);
    expect(calls).toEqual(['pause']);
    await clock.advance(1);
    expect(calls).toEqual(['pause', 'resume']);
    bp.close();
  });

  it('reads the depth only every `sampleEvery` appends (the hot path stays cheap)', () => {
    let reads = 0;
    const bp = new Backpressure({
      high: { events: 10, bytes: 10 },
      depth: () => (reads++, { events: 0, bytes: 0 }),
      pause: () => {},
      resume: () => {},
      sampleEvery: 32,
    });
    for (let i = 0; i < 320; i++) bp.appended();
    expect(reads).toBe(10);
  });
});
