import { describe, expect, it } from 'vitest';
import { SessionTracker } from '../../../shard-host/sessions/index.ts';

const snap = (sessionId: string, seq = 0) => ({ sessionId, resumeUrl: 'wss://r.test', seq });
const ev = (session: string, ...seqs: number[]) => seqs.map((seq) => ({ session, seq }));

describe('SessionTracker: the stored seq is the Worker-acknowledged watermark', () => {
  it('records a new session at seq 0 and moves only over a gap-free prefix of settled seqs', async () => {
    const t = new SessionTracker();
    t.session(1, snap('s'));
    expect(t.get(1)).toEqual({ sessionId: 's', resumeUrl: 'wss://r.test', seq: 0 });
    for (let seq = 1; seq <= 6; seq++) t.received(1, 's', seq);
    t.settled(1, ev('s', 1, 2, 4, 5)); // 3 is being retried
    expect(t.watermark(1)).toBe(2);
    expect(t.get(1)!.seq).toBe(2);
    t.settled(1, ev('s', 3));
    expect(t.watermark(1)).toBe(5);
    t.settled(1, ev('s', 6));
    expect(t.get(1)!.seq).toBe(6);
  });

  it('ignores acknowledgements of an older session (still draining from the spool)', () => {
    const t = new SessionTracker();
    t.session(0, snap('old'));
    t.received(0, 'old', 1);
    t.session(0, snap('new'));
    t.received(0, 'new', 1);
    t.settled(0, ev('old', 1));
    expect(t.watermark(0)).toBe(0);
    t.settled(0, ev('new', 1));
    expect(t.watermark(0)).toBe(1);
  });

  it('a resumed session starts at its stored seq; replayed seqs at or below it are not tracked', () => {
    const t = new SessionTracker();
    t.session(0, snap('s', 40));
    t.received(0, 's', 40);
    t.received(0, 's', 41);
    t.settled(0, ev('s', 41));
    expect(t.watermark(0)).toBe(41);
  });

  it('session(null) forgets the shard', () => {
    const t = new SessionTracker();
    t.session(0, snap('s'));
    t.session(0, null);
    expect(t.get(0)).toBeNull();
  });

  it('stays correct over many events (pending list compaction)', () => {
    const t = new SessionTracker();
    t.session(0, snap('s'));
    for (let seq = 1; seq <= 5_000; seq++) t.received(0, 's', seq);
    for (let from = 1; from <= 5_000; from += 100)
      t.settled(0, ev('s', ...Array.from({ length: 100 }, (_, i) => from + i)));
    expect(t.watermark(0)).toBe(5_000);
  });
});
