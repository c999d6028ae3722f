// The forwarder's per-shard state machine on a fake clock and a fake transport: order, linger, the
// in-flight limit, splitting, retry of the failed remainder only, Retry-After, fencing.
import { describe, expect, it } from 'vitest';
import { Forwarder, type ForwarderOptions } from '../../../shard-host/forwarder/forwarder.ts';
import type { TransportReply } from '../../../shard-host/forwarder/transport.ts';
import { memoryLogger } from '../../../shard-host/log.ts';
import { MemorySpool } from '../../../shard-host/spool/memory.ts';
import { envelope, FakeTransport, ManualClock, ok, settle, status } from './forwarder-fakes.ts';

function setup(extra: Partial<ForwarderOptions> = {}) {
  const clock = new ManualClock();
  const transport = new FakeTransport(clock);
  const spool = new MemorySpool();
  const logger = memoryLogger();
  const dead: string[] = [];
  const acked: { seq: number; at: number }[] = [];
  const forwarder = new Forwarder({
    transport,
    hostId: 'h',
    spool,
    logger,
    maxEvents: 100,
    maxBytes: 1 << 20,
    lingerMs: 20,
    clock,
    random: () => 0.5,
    onAcked: (_s, events) => acked.push(...events.map((e) => ({ seq: e.seq, at: clock.now() }))),
    onDeadLetter: (e, reason) => dead.push(`${e.id} ${reason}`),
    ...extra,
  });
  const push = (shard: number, from: number, to: number) => {
    for (let seq = from; seq <= to; seq++) spool.append(envelope(shard, seq, clock.now()));
    forwarder.notify(shard);
  };
  return { clock, transport, spool, logger, dead, acked, forwarder, push };
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('Forwarder state machine (fake clock, fake transport)', () => {
  it('lingers for a fresh batch, then sends one batch per shard in order, never two at once', async () => {
    const t = setup({ maxEvents: 100 });
    let open = 0;
    let most = 0;
    t.transport.answer = async (b) => {
      most = Math.max(most, ++open);
      await null;
      open--;
      return ok(b);
    };
    t.push(0, 1, 3);
    await t.clock.advance(19);
    expect(t.transport.sent).toHaveLength(0);
    expect(t.forwarder.phase(0)).toBe('lingering');
    await t.clock.advance(1);
    expect(t.transport.seqs()).toEqual([[1, 2, 3]]);
    expect(t.transport.sent[0]!.at).toBe(20);
    t.push(0, 4, 253); // two full batches go at once; the partial tail lingers
    await t.clock.advance(0);
    expect(t.transport.seqs()).toEqual([[1, 2, 3], range(4, 103), range(104, 203)]);
    await t.clock.advance(20);
    expect(t.transport.seqs()).toEqual([[1, 2, 3], range(4, 103), range(104, 203), range(204, 253)]);
    expect(t.transport.sent.map((s) => s.at)).toEqual([20, 20, 20, 40]);
    expect(most).toBe(1);
    expect(t.spool.depth().events).toBe(0);
    expect(t.forwarder.phase(0)).toBe('idle');
    expect(
      t.logger.lines
        .filter((l) => l.level === 'debug')
        .map((l) => l.msg)
        .slice(0, 3),
    ).toEqual([
      'shard 0: idle → lingering (new events)',
      'shard 0: lingering → in-flight (batch of 3 events)',
      'shard 0: in-flight → idle (3 acknowledged)',
    ]);
  });

  it('sends at most maxInFlight shards at once; the others queue and go first come, first served', async () => {
    const t = setup({ maxInFlight: 2, maxEvents: 1 });
    const release: (() => void)[] = [];
    t.transport.answer = (b) => new Promise<TransportReply>((r) => release.push(() => r(ok(b))));
    for (const shard of [3, 1, 2, 0]) t.push(shard, 1, 1);
    await t.clock.advance(0);
    expect(t.transport.sent.map((s) => s.batch.events[0]!.shard)).toEqual([3, 1]);
    expect([0, 1, 2, 3].map((s) => t.forwarder.phase(s))).toEqual(['queued', 'in-flight', 'queued', 'in-flight']);
    release.shift()!();
    await settle();
    expect(t.transport.sent.map((s) => s.batch.events[0]!.shard)).toEqual([3, 1, 2]);
    release.shift()!();
    await settle();
    expect(t.transport.sent.map((s) => s.batch.events[0]!.shard)).toEqual([3, 1, 2, 0]);
    release.splice(0).forEach((r) => r());
    expect(await t.forwarder.drain(1_000)).toBe(true);
  });

  it('splits a batch the Worker refuses as too large and keeps the lowered size for the shard', async () => {
    const t = setup({ maxEvents: 8 });
    t.transport.answer = (b) => (b.events.length > 4 ? status(413) : ok(b));
    t.push(0, 1, 20);
    await t.clock.advance(0);
    expect(t.transport.seqs()).toEqual([
      range(1, 8),
      range(1, 4),
      range(5, 8),
      range(9, 12),
      range(13, 16),
      range(17, 20),
    ]);
    expect(t.dead).toEqual([]);
  });

  it('dead-letters a single event too large for the Worker', async () => {
    const t = setup();
    t.transport.answer = () => status(413);
    t.push(0, 1, 1);
    await t.clock.advance(20);
    expect(t.dead).toEqual(['discord:0:s:1 Worker refused the batch as too large (413)']);
    expect(t.spool.depth().events).toBe(0);
  });

  it('re-sends only the failed remainder, after the handler backoff, before anything newer', async () => {
    const t = setup();
    let failedOnce = false;
    t.transport.answer = (b) =>
      ok(b, (e) => (e.seq === 3 && !failedOnce ? ((failedOnce = true), { outcome: 'retry', error: 'boom' }) : 'ack'));
    t.push(0, 1, 5);
    await t.clock.advance(20);
    expect(t.forwarder.phase(0)).toBe('backing-off');
    t.push(0, 6, 10);
    await t.clock.advance(999);
    expect(t.transport.seqs()).toEqual([range(1, 5)]);
    await t.clock.advance(1);
    expect(t.transport.seqs()).toEqual([range(1, 5), [3], range(6, 10)]);
    expect(t.transport.sent.map((s) => s.at)).toEqual([20, 1020, 1020]);
    expect(t.acked.map((a) => a.seq)).toEqual([1, 2, 4, 5, 3, 6, 7, 8, 9, 10]);
    expect(t.forwarder.stats.retriedEvents).toBe(1);
  });

  it('honours Retry-After on a whole-batch failure', async () => {
    const t = setup();
    t.transport.answer = (b, n) => (n === 1 ? status(503, '{}', '7') : ok(b));
    t.push(0, 1, 2);
    await t.clock.advance(20);
    await t.clock.advance(6_999);
    expect(t.transport.sent).toHaveLength(1);
    await t.clock.advance(1);
    expect(t.transport.sent.map((s) => [s.at, s.batch.events.length])).toEqual([
      [20, 2],
      [7_020, 2],
    ]);
    expect(t.logger.lines.find((l) => l.msg === 'batch will be retried')?.delayMs).toBe(7_000);
  });

  it('drops a batch fenced by a newer lease epoch, counts it, dead-letters nothing, and goes on', async () => {
    const t = setup({ epoch: () => 2 });
    const fence = '{"error":{"code":"stale_epoch","message":"shard 0 is owned at epoch 3"}}';
    t.transport.answer = (b, n) => (n === 1 ? status(409, fence) : ok(b));
    t.push(0, 1, 4);
    await t.clock.advance(20);
    expect(t.transport.sent[0]!.batch.epoch).toBe(2);
    expect(t.forwarder.stats.fenced).toBe(4);
    expect(t.dead).toEqual([]);
    expect(t.spool.depth().events).toBe(0);
    expect(t.forwarder.phase(0)).toBe('idle');
    t.push(0, 5, 5);
    await t.clock.advance(20);
    expect(t.acked.map((a) => a.seq)).toEqual([5]);
  });

  it('dead-letters a batch on a 409 that is not a fence', async () => {
    const t = setup();
    t.transport.answer = () => status(409, '{"error":{"code":"lease_protocol","message":"stale_epoch"}}');
    t.push(0, 1, 1);
    await t.clock.advance(20);
    expect(t.forwarder.stats.fenced).toBe(0);
    expect(t.dead).toHaveLength(1);
  });

  it('holds a batch back while the spool cannot sync, and sends it once it can', async () => {
    const t = setup();
    let syncs = 0;
    t.spool.sync = async () => {
      if (++syncs === 1) throw new Error('EIO');
    };
    t.push(0, 1, 1);
    await t.clock.advance(20);
    expect(t.transport.sent).toHaveLength(0);
    expect(t.forwarder.phase(0)).toBe('backing-off');
    await t.clock.advance(125); // first whole-batch backoff: 250 ms × random 0.5
    expect(t.acked.map((a) => [a.seq, a.at])).toEqual([[1, 145]]);
  });

  it('close() stops every timer and closes the transport', async () => {
    const t = setup();
    t.push(0, 1, 1);
    await t.forwarder.close();
    await t.clock.advance(1_000);
    expect(t.transport.sent).toHaveLength(0);
    expect(t.transport.closed).toBe(true);
  });
});
