// The forwarder against a real HTTP server on 127.0.0.1 that checks signatures the way the Worker does.
import { afterEach, describe, expect, it } from 'vitest';
import type { EventBatch, EventEnvelope } from '../../../protocol/index.ts';
import { Forwarder, type BatchSent } from '../../../shard-host/forwarder/forwarder.ts';
import { HttpTransport } from '../../../shard-host/forwarder/http-transport.ts';
import { memoryLogger } from '../../../shard-host/log.ts';
import { MemorySpool } from '../../../shard-host/spool/memory.ts';
import type { Spool } from '../../../shard-host/spool/types.ts';
import { SECRET, workerServer, type Reply } from './worker-server.ts';
import { envelope } from './forwarder-fakes.ts';

type Answer = (batch: EventBatch, n: number) => Reply;

/** The shared stand-in, answering refusals with an error body like the Worker's. */
const worker = (answer: Answer) =>
  workerServer((batch, n) => ({ body: '{"error":{"code":"x","message":"y"}}', ...answer(batch, n) }));

const event = (shard: number, seq: number): EventEnvelope => envelope(shard, seq, Date.now(), { n: seq });

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function setup(
  answer: Answer,
  opts: { maxEvents?: number; spool?: Spool; onDeadLetter?: (e: EventEnvelope, reason: string) => void } = {},
) {
  const server = await worker(answer);
  const spool = opts.spool ?? new MemorySpool();
  const dead: string[] = [];
  const sentInfo: BatchSent[] = [];
  const acked: number[] = [];
  const logger = memoryLogger();
  const forwarder = new Forwarder({
    transport: new HttpTransport({ workerUrl: server.url, secret: SECRET }),
    hostId: 'h1',
    spool,
    logger,
    maxEvents: opts.maxEvents ?? 100,
    maxBytes: 1 << 20,
    lingerMs: 5,
    onAcked: (_shard, events) => acked.push(...events.map((e) => e.seq)),
    // Retries at once: these tests are about what is re-sent, not when.
    random: () => 0,
    retryPolicy: { handler: { baseMs: 0, maxMs: 0 } },
    onBatch: (b) => sentInfo.push(b),
    onDeadLetter: (e, reason) => {
      opts.onDeadLetter?.(e, reason);
      dead.push(`${e.id} ${reason}`);
    },
  });
  cleanups.push(async () => {
    await forwarder.close();
    await server.close();
  });
  const push = (shard: number, from: number, to: number) => {
    for (let seq = from; seq <= to; seq++) spool.append(event(shard, seq));
    forwarder.notify(shard);
  };
  return { server, spool, forwarder, dead, acked, logger, push, sentInfo };
}

describe('Forwarder', () => {
  it('sends every event once, in per-shard order, in batches no larger than the limit', async () => {
    const t = await setup(() => ({ status: 200 }), { maxEvents: 100 });
    t.push(0, 1, 250);
    t.push(1, 1, 30);
    expect(await t.forwarder.drain(10_000)).toBe(true);
    const seqs = (shard: number) =>
      t.server.batches.flatMap((b) => b.events.filter((e) => e.shard === shard).map((e) => e.seq));
    expect(seqs(0)).toEqual(Array.from({ length: 250 }, (_, i) => i + 1));
    expect(seqs(1)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(Math.max(...t.server.batches.map((b) => b.events.length))).toBeLessThanOrEqual(100);
    expect(t.server.batches.every((b) => new Set(b.events.map((e) => e.shard)).size === 1)).toBe(true);
    expect(t.spool.depth().events).toBe(0);
    expect(t.forwarder.stats.eventsAcked).toBe(280);
  });

  it('re-sends only the event the Worker failed, before anything newer', async () => {
    let failedOnce = false;
    const t = await setup(() => ({
      status: 200,
      outcome: (e) => {
        if (e.seq === 3 && !failedOnce) {
          failedOnce = true;
          return 'retry';
        }
        return 'ack';
      },
    }));
    t.push(0, 1, 5);
    expect(await t.forwarder.drain(10_000)).toBe(true);
    const sent = t.server.batches.map((b) => b.events.map((e) => e.seq));
    expect(sent[0]).toEqual([1, 2, 3, 4, 5]);
    expect(sent.slice(1).flat()).toEqual([3]);
    expect(t.acked.sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5]);
    expect(t.logger.lines.some((l) => l.msg === 'batch will be retried')).toBe(true);
  });

  it('retries a whole batch after a 503 and loses nothing', async () => {
    const t = await setup((_b, n) => ({ status: n === 1 ? 503 : 200 }));
    t.push(0, 1, 10);
    expect(await t.forwarder.drain(10_000)).toBe(true);
    expect(t.server.batches).toHaveLength(2);
    expect(t.server.batches[1]!.events.map((e) => e.seq)).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
    expect(t.forwarder.stats.retries).toBe(1);
  });

  it('dead-letters a batch the Worker refuses as malformed, with the reason', async () => {
    const t = await setup(() => ({ status: 400 }));
    t.push(0, 1, 2);
    expect(await t.forwarder.drain(10_000)).toBe(true);
    expect(t.dead).toHaveLength(2);
    expect(t.dead[0]).toMatch(/discord:0:s:1 Worker answered 400/);
    expect(t.forwarder.stats.deadLetters).toBe(2);
  });

  it('keeps events while the Worker is unreachable', async () => {
    const t = await setup(() => ({ status: 200 }));
    await t.server.close();
    t.push(0, 1, 3);
    expect(await t.forwarder.drain(300)).toBe(false);
    expect(t.spool.depth().events).toBe(3);
    expect(t.logger.lines.find((l) => l.msg === 'batch will be retried')?.reason).toMatch(/cannot reach the Worker/);
  });
});
