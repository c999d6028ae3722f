// The forwarder on a fake clock and a fake transport: packing several shards into one request, the linger
// between requests, order per shard, the in-flight limit, splitting, retry of the failed remainder only,
// Retry-After, fencing (whole request and per event).
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
  /** Appends every range, then notifies once per event, as the host does for events read together. */
  const push = (...ranges: [shard: number, from: number, to: number][]) => {
    const shards: number[] = [];
    for (const [shard, from, to] of ranges)
      for (let seq = from; seq <= to; seq++) {
        spool.append(envelope(shard, seq, clock.now()));
        shards.push(shard);
      }
    for (const shard of shards) forwarder.notify(shard);
  };
  return { clock, transport, spool, logger, dead, acked, forwarder, push };
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('Forwarder state machine (fake clock, fake transport)', () => {
  it('a quiet host sends at once; then one request per linger packs every shard, each with its epoch', async () => {
    const t = setup({ epoch: (shard) => shard + 1 });
    t.push([0, 1, 1]);
    expect(t.transport.seqs()).toEqual([]); // the spool's sync comes first
    await t.clock.advance(0);
    expect(t.transport.seqs()).toEqual([[1]]);
    t.push([0, 2, 3], [1, 1, 2]);
    await t.clock.advance(5);
    t.push([2, 1, 1]);
    await t.clock.advance(14);
    expect(t.transport.sent).toHaveLength(1);
    await t.clock.advance(1);
    expect(
      t.transport.sent.map((s) => [s.at, s.batch.epochs, s.batch.events.map((e) => `${e.shard}:${e.seq}`)]),
    ).toEqual([
      [0, { 0: 1 }, ['0:1']],
      [20, { 0: 1, 1: 2, 2: 3 }, ['0:2', '0:3', '1:1', '1:2', '2:1']],
    ]);
    expect(t.spool.depth().events).toBe(0);
    expect([0, 1, 2].map((s) => t.forwarder.phase(s))).toEqual(['idle', 'idle', 'idle']);
    expect(
      t.logger.lines
        .filter((l) => l.level === 'debug')
        .map((l) => l.msg)
        .slice(0, 4),
    ).toEqual([
      'shard 0: idle → in-flight (1 events in request 1 (1 shards))',
      'shard 0: in-flight → idle (1 acknowledged)',
      'shard 0: idle → in-flight (2 events in request 2 (3 shards))',
      'shard 1: idle → in-flight (2 events in request 2 (3 shards))',
    ]);
  });

  it('keeps the beat: a request that leaves late takes the delay from the next wait', async () => {
    const t = setup();
    t.push([0, 1, 1]);
    await t.clock.advance(30); // the beat: 0, 20, 40, …
    t.push([1, 1, 1]); // due since 20: goes at once, on the beat of 20
    await t.clock.advance(5);
    t.push([2, 1, 1]);
    await t.clock.advance(30);
    t.push([3, 1, 1]); // 65: on the beat of 60
    await t.clock.advance(5);
    t.push([4, 1, 1]);
    await t.clock.advance(60);
    t.push([5, 1, 1]); // 130: quiet for more than a linger after the beat of 100, a new beat starts
    await t.clock.advance(5);
    t.push([6, 1, 1]);
    await t.clock.advance(30);
    expect(t.transport.sent.map((s) => [s.at, s.batch.events[0]!.shard])).toEqual([
      [0, 0],
      [30, 1],
      [40, 2],
      [65, 3],
      [80, 4],
      [130, 5],
      [150, 6],
    ]);
  });

  it('a full request goes at once; a shard never has two requests in flight, so its order holds', async () => {
    const t = setup({ maxEvents: 100 });
    let open = 0;
    let most = 0;
    t.transport.answer = async (b) => {
      most = Math.max(most, ++open);
      await null;
      open--;
      return ok(b);
    };
    t.push([0, 1, 1]);
    t.push([0, 2, 251]);
    await t.clock.advance(0);
    expect(t.transport.seqs()).toEqual([[1], range(2, 101), range(102, 201)]);
    await t.clock.advance(20);
    expect(t.transport.seqs()).toEqual([[1], range(2, 101), range(102, 201), range(202, 251)]);
    expect(t.transport.sent.map((s) => s.at)).toEqual([0, 0, 0, 20]);
    expect(most).toBe(1);
    expect(t.acked.map((a) => a.seq)).toEqual(range(1, 251));
  });

  it('at most maxInFlight requests at once; waiting shards go oldest event first', async () => {
    const t = setup({ maxInFlight: 1, maxEvents: 1 });
    const release: (() => void)[] = [];
    t.transport.answer = (b) => new Promise<TransportReply>((r) => release.push(() => r(ok(b))));
    t.push([3, 1, 1]);
    await t.clock.advance(1);
    t.push([1, 1, 1]);
    await t.clock.advance(1);
    t.push([2, 1, 1]);
    await t.clock.advance(1);
    t.push([0, 1, 1]);
    await t.clock.advance(100);
    const shards = () => t.transport.sent.map((s) => s.batch.events[0]!.shard);
    expect(shards()).toEqual([3]);
    for (const expected of [
      [3, 1],
      [3, 1, 2],
      [3, 1, 2, 0],
    ]) {
      release.shift()!();
      await settle();
      expect(shards()).toEqual(expected);
    }
    release.splice(0).forEach((r) => r());
    expect(await t.forwarder.drain(1_000)).toBe(true);
  });

  it('splits a request the Worker refuses as too large and keeps the lowered size', async () => {
    const t = setup({ maxEvents: 8 });
    t.transport.answer = (b) => (b.events.length > 4 ? status(413) : ok(b));
    t.push([0, 1, 20]);
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
    t.push([0, 1, 1]);
    await t.clock.advance(20);
    expect(t.dead).toEqual(['discord:0:s:1 Worker refused the batch as too large (413)']);
    expect(t.spool.depth().events).toBe(0);
  });

  it('re-sends only the failed remainder, after the handler backoff, before anything newer', async () => {
    const t = setup();
    let failedOnce = false;
    t.transport.answer = (b) =>
      ok(b, (e) => (e.seq === 3 && !failedOnce ? ((failedOnce = true), { outcome: 'retry', error: 'boom' }) : 'ack'));
    t.push([0, 1, 5]);
    await t.clock.advance(0);
    expect(t.forwarder.phase(0)).toBe('backing-off');
    t.push([0, 6, 10]);
    await t.clock.advance(999);
    expect(t.transport.seqs()).toEqual([range(1, 5)]);
    await t.clock.advance(21);
    expect(t.transport.seqs()).toEqual([range(1, 5), [3], range(6, 10)]);
    expect(t.transport.sent.map((s) => s.at)).toEqual([0, 1000, 1020]);
    expect(t.acked.map((a) => a.seq)).toEqual([1, 2, 4, 5, 3, 6, 7, 8, 9, 10]);
    expect(t.forwarder.stats.retriedEvents).toBe(1);
  });

  it("one shard's handler failure holds back only that shard; the others in its request go on", async () => {
    const t = setup();
    let failedOnce = false;
    t.transport.answer = (b) =>
      ok(b, (e) =>
        e.shard === 0 && e.seq === 1 && !failedOnce
          ? ((failedOnce = true), { outcome: 'retry', error: 'boom' })
          : 'ack',
      );
    t.push([0, 1, 2], [1, 1, 2]);
    await t.clock.advance(0);
    expect([t.forwarder.phase(0), t.forwarder.phase(1)]).toEqual(['backing-off', 'idle']);
    t.push([1, 3, 3]);
    await t.clock.advance(20);
    await t.clock.advance(980);
    expect(t.transport.sent.map((s) => [s.at, s.batch.events.map((e) => `${e.shard}:${e.seq}`)])).toEqual([
      [0, ['0:1', '0:2', '1:1', '1:2']],
      [20, ['1:3']],
      [1000, ['0:1']],
    ]);
    expect(t.acked.map((a) => a.seq)).toEqual([2, 1, 2, 3, 1]);
  });

  it('honours Retry-After on a whole-request failure', async () => {
    const t = setup();
    t.transport.answer = (b, n) => (n === 1 ? status(503, '{}', '7') : ok(b));
    t.push([0, 1, 2]);
    await t.clock.advance(6_999);
    expect(t.transport.sent).toHaveLength(1);
    await t.clock.advance(1);
    expect(t.transport.sent.map((s) => [s.at, s.batch.events.length])).toEqual([
      [0, 2],
      [7_000, 2],
    ]);
    expect(t.logger.lines.find((l) => l.msg === 'batch will be retried')?.delayMs).toBe(7_000);
  });

  it('drops a request fenced whole (409 stale_epoch), counts it, dead-letters nothing, and goes on', async () => {
    const t = setup({ epoch: () => 2 });
    const fence = '{"error":{"code":"stale_epoch","message":"shard 0 is owned at epoch 3"}}';
    t.transport.answer = (b, n) => (n === 1 ? status(409, fence) : ok(b));
    t.push([0, 1, 4]);
    await t.clock.advance(0);
    expect(t.transport.sent[0]!.batch.epochs).toEqual({ 0: 2 });
    expect(t.forwarder.stats.fenced).toBe(4);
    expect(t.dead).toEqual([]);
    expect(t.spool.depth().events).toBe(0);
    expect(t.forwarder.phase(0)).toBe('idle');
    t.push([0, 5, 5]);
    await t.clock.advance(20);
    expect(t.acked.map((a) => a.seq)).toEqual([5]);
  });

  it("drops only the fenced shard's events of a packed request (per-event `fenced`)", async () => {
    const t = setup();
    t.transport.answer = (b) => ok(b, (e) => (e.shard === 1 ? { outcome: 'fenced', error: 'stale epoch' } : 'ack'));
    t.push([0, 1, 2], [1, 1, 3], [2, 1, 1]);
    await t.clock.advance(0);
    expect(t.transport.sent).toHaveLength(1);
    expect(t.forwarder.stats.fenced).toBe(3);
    expect(t.acked.map((a) => a.seq)).toEqual([1, 2, 1]);
    expect(t.dead).toEqual([]);
    expect(t.spool.depth().events).toBe(0);
    expect(
      t.logger.lines.filter((l) => String(l.msg).startsWith('events fenced')).map((l) => [l.shard, l.events]),
    ).toEqual([[1, 3]]);
  });

  it('dead-letters a request on a 409 that is not a fence', async () => {
    const t = setup();
    t.transport.answer = () => status(409, '{"error":{"code":"lease_protocol","message":"stale_epoch"}}');
    t.push([0, 1, 1]);
    await t.clock.advance(20);
    expect(t.forwarder.stats.fenced).toBe(0);
    expect(t.dead).toHaveLength(1);
  });

  it('keeps every event spooled while host and Worker speak different batch versions', async () => {
    const t = setup();
    const refusal = '{"error":{"code":"batch_version","message":"event batch version 2, this Worker speaks 3"}}';
    const oldWorker =
      '{"error":{"code":"malformed_batch","message":"malformed event batch: unsupported version 2, expected 1"}}';
    t.transport.answer = (b, n) => (n === 1 ? status(503, refusal) : n === 2 ? status(400, oldWorker) : ok(b));
    t.push([0, 1, 2]);
    await t.clock.advance(10_000);
    expect(t.transport.sent).toHaveLength(3);
    expect(t.dead).toEqual([]);
    expect(t.acked.map((a) => a.seq)).toEqual([1, 2]);
    expect(t.logger.lines.filter((l) => l.msg === 'batch will be retried').map((l) => l.reason)).toEqual([
      expect.stringContaining('batch_version'),
      expect.stringContaining('deploy the Worker'),
    ]);
  });

  it('holds a request back while the spool cannot sync, and sends it once it can', async () => {
    const t = setup();
    let syncs = 0;
    t.spool.sync = async () => {
      if (++syncs === 1) throw new Error('EIO');
    };
    t.push([0, 1, 1]);
    await t.clock.advance(0);
    expect(t.transport.sent).toHaveLength(0);
    expect(t.forwarder.phase(0)).toBe('backing-off');
    await t.clock.advance(125); // first whole-batch backoff: 250 ms × random 0.5
    expect(t.acked.map((a) => [a.seq, a.at])).toEqual([[1, 125]]);
  });

  it('close() stops every timer and closes the transport', async () => {
    const t = setup();
    t.push([0, 1, 1]);
    await t.clock.advance(0);
    t.push([0, 2, 2]);
    await t.forwarder.close();
    await t.clock.advance(1_000);
    expect(t.transport.seqs()).toEqual([[1]]);
    expect(t.transport.closed).toBe(true);
  });
});
