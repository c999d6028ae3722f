// An event that arrives while its shard's batch lingers costs the forwarder O(1): it reads the spool's
// running totals, not the pending batch (a scan of up to 100 events per event before; bench/RESULTS.md).
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
  const push = (seq: number) => {
    spool.append(envelope(0, seq, clock.now()));
    forwarder.notify(0);
  };
  return { clock, transport, push, scans: () => scans };
}

describe('forwarder: cost of an event while the batch lingers', () => {
  it('50 events into a lingering batch scan the spool once; the linger timer sends them as one batch', async () => {
    const t = setup(100);
    for (let seq = 1; seq <= 50; seq++) t.push(seq);
    expect(t.scans()).toBe(1);
    await t.clock.advance(20);
    expect(t.transport.seqs()).toEqual([Array.from({ length: 50 }, (_, i) => i + 1)]);
  });

  it('the event that fills the batch still sends it at once, without waiting for the linger', async () => {
    const t = setup(10);
    for (let seq = 1; seq <= 10; seq++) t.push(seq);
    await t.clock.advance(0);
    expect(t.transport.seqs()).toEqual([[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]]);
    expect(t.transport.sent[0]!.at).toBe(0);
  });
});
