// An event that arrives while the next request lingers costs the forwarder O(1): a counter, no look at the
// spool (a scan of up to 100 events per event before; bench/RESULTS.md). The spool is read once per request.
import { describe, expect, it } from 'vitest';
import { Forwarder } from '../../../shard-host/forwarder/forwarder.ts';
import { memoryLogger } from '../../../shard-host/log.ts';
import { MemorySpool } from '../../../shard-host/spool/memory.ts';
import { envelope, FakeTransport, ManualClock } from '../host/forwarder-fakes.ts';

function setup(maxEvents: number) {
  const clock = new ManualClock();
  const transport = new FakeTransport(clock);
  const spool = new MemorySpool();
  let scans = 0;
  const pending = spool.pending.bind(spool);
  spool.pending = (...args) => (scans++, pending(...args));
  const forwarder = new Forwarder({
    transport,
    hostId: 'h',
    spool,
    logger: memoryLogger(),
    maxEvents,
    maxBytes: 1 << 20,
    lingerMs: 20,
    clock,
  });
  const push = (shard: number, seq: number) => {
    spool.append(envelope(shard, seq, clock.now()));
    forwarder.notify(shard);
  };
  return { clock, transport, push, scans: () => scans };
}

describe('forwarder: cost of an event while the next request lingers', () => {
  it('50 events while the request lingers do not read the spool; the linger sends them as one request', async () => {
    const t = setup(100);
    t.push(0, 1); // a quiet host sends at once
    await t.clock.advance(0);
    const scans = t.scans();
    for (let seq = 1; seq <= 50; seq++) t.push(1 + (seq % 5), seq);
    expect(t.scans()).toBe(scans);
    await t.clock.advance(20);
    expect(t.transport.sent).toHaveLength(2);
    expect(t.transport.sent[1]!.batch.events).toHaveLength(50);
    expect(t.scans() - scans).toBe(5); // one `pending` per shard the request carries
  });

  it('the event that fills the request still sends it at once, without waiting for the linger', async () => {
    const t = setup(10);
    t.push(0, 1);
    await t.clock.advance(0);
    for (let seq = 1; seq <= 10; seq++) t.push(1 + (seq % 3), seq);
    await t.clock.advance(0);
    expect(t.transport.sent.map((s) => [s.at, s.batch.events.length])).toEqual([
      [0, 1],
      [0, 10],
    ]);
  });
});
