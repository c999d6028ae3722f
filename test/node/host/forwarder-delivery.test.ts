// What the forwarder promises about order, durability and failures, against a signature-checking server.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { EventBatch, EventEnvelope } from '../../../protocol/index.ts';
import { Forwarder, type BatchSent, type ForwarderOptions } from '../../../shard-host/forwarder/forwarder.ts';
import { HttpTransport } from '../../../shard-host/forwarder/http-transport.ts';
import { memoryLogger } from '../../../shard-host/log.ts';
import { FileSpool } from '../../../shard-host/spool/file.ts';
import { MemorySpool } from '../../../shard-host/spool/memory.ts';
import type { Spool } from '../../../shard-host/spool/types.ts';
import { SECRET, workerServer } from './worker-server.ts';
import { envelope } from './forwarder-fakes.ts';

const event = (shard: number, seq: number): EventEnvelope => envelope(shard, seq, Date.now());

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function forwarder(url: string, spool: Spool, extra: Partial<ForwarderOptions> = {}) {
  const logger = memoryLogger();
  const f = new Forwarder({
    transport: new HttpTransport({ workerUrl: url, secret: SECRET }),
    hostId: 'h',
    spool,
    logger,
    maxEvents: 5,
    maxBytes: 1 << 20,
    lingerMs: 1,
    random: () => 0,
    retryPolicy: { handler: { baseMs: 0, maxMs: 0 } },
    ...extra,
  });
  cleanups.push(() => f.close());
  return { f, logger };
}

const seqsOf = (batches: EventBatch[]) => batches.map((b) => b.events.map((e) => e.seq));

describe('Forwarder delivery rules', () => {
  it('retries a failed event alone, before the newer events that were waiting behind it', async () => {
    let failed = false;
    const server = await workerServer(() => ({
      status: 200,
      outcome: (e) => (e.seq === 3 && !failed ? ((failed = true), 'retry') : 'ack'),
    }));
    cleanups.push(server.close);
    const spool = new MemorySpool();
    const { f } = forwarder(server.url, spool);
    for (let seq = 1; seq <= 10; seq++) spool.append(event(0, seq));
    f.notify(0);
    expect(await f.drain(10_000)).toBe(true);
    expect(seqsOf(server.batches)).toEqual([[1, 2, 3, 4, 5], [3], [6, 7, 8, 9, 10]]);
    expect(f.stats.retriedEvents).toBe(1);
  });

  it('retries the whole batch unchanged after a 5xx and honours Retry-After', async () => {
    const server = await workerServer((_b, n) =>
      n === 1 ? { status: 503, headers: { 'retry-after': '0.05' } } : { status: 200 },
    );
    cleanups.push(server.close);
    const spool = new MemorySpool();
    const retries: number[] = [];
    const { f, logger } = forwarder(server.url, spool, { onRetry: (_s, n) => retries.push(n) });
    for (let seq = 1; seq <= 3; seq++) spool.append(event(0, seq));
    f.notify(0);
    expect(await f.drain(10_000)).toBe(true);
    expect(seqsOf(server.batches)).toEqual([
      [1, 2, 3],
      [1, 2, 3],
    ]);
    expect(logger.lines.find((l) => l.msg === 'batch will be retried')?.delayMs).toBe(50);
    expect(retries).toEqual([3]);
  });

  it('syncs the spool before every send', async () => {
    const order: string[] = [];
    class Recording extends MemorySpool {
      override async sync(): Promise<void> {
        order.push('sync');
      }
    }
    const server = await workerServer(
      () => ({ status: 200 }),
      () => order.push('send'),
    );
    cleanups.push(server.close);
    const spool = new Recording();
    const { f } = forwarder(server.url, spool, { maxEvents: 2 });
    for (let seq = 1; seq <= 4; seq++) spool.append(event(0, seq));
    f.notify(0);
    expect(await f.drain(10_000)).toBe(true);
    expect(order).toEqual(['sync', 'send', 'sync', 'send']);
  });

  it('keeps a dead letter in the spool while the dead-letter sink fails, and writes it once it works', async () => {
    const server = await workerServer(() => ({ status: 200, outcome: (e) => (e.seq === 2 ? 'dead-letter' : 'ack') }));
    cleanups.push(server.close);
    const spool = new MemorySpool();
    let sinkUp = false;
    const written: string[] = [];
    const { f, logger } = forwarder(server.url, spool, {
      onDeadLetter: (e) => {
        if (!sinkUp) {
          sinkUp = true;
          throw new Error('disk full');
        }
        written.push(e.id);
      },
    });
    for (let seq = 1; seq <= 3; seq++) spool.append(event(0, seq));
    f.notify(0);
    expect(await f.drain(10_000)).toBe(true);
    expect(written).toEqual(['discord:0:s:2']);
    expect(seqsOf(server.batches)).toEqual([[1, 2, 3], [2]]);
    expect(f.stats.deadLetters).toBe(1);
    expect(logger.lines.some((l) => l.msg === 'cannot write a dead letter; the event stays in the spool')).toBe(true);
  });

  it('reports every batch with its size, status and latency', async () => {
    const server = await workerServer(() => ({ status: 200 }));
    cleanups.push(server.close);
    const spool = new MemorySpool();
    const sent: BatchSent[] = [];
    const { f } = forwarder(server.url, spool, { onBatch: (b) => sent.push(b) });
    for (let seq = 1; seq <= 7; seq++) spool.append(event(1, seq));
    f.notify(1);
    expect(await f.drain(10_000)).toBe(true);
    expect(sent.map((b) => [b.shards, b.events, b.status])).toEqual([
      [1, 5, 200],
      [1, 2, 200],
    ]);
    expect(sent.every((b) => b.bytes > 0 && b.latencyMs >= 0)).toBe(true);
  });

  it('with a file spool, a restarted host sends what the previous one could not', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'edgeshard-fwd-'));
    const down = await workerServer(() => ({ status: 200 }));
    await down.close(); // the Worker is unreachable for the first run
    const first = FileSpool.open({ dir, logger: memoryLogger() });
    const { f: f1 } = forwarder(down.url, first);
    for (let seq = 1; seq <= 6; seq++) first.append(event(0, seq));
    f1.notify(0);
    expect(await f1.drain(200)).toBe(false);
    await f1.close();
    await first.close();

    const server = await workerServer(() => ({ status: 200 }));
    cleanups.push(server.close);
    const second = FileSpool.open({ dir, logger: memoryLogger() });
    cleanups.push(() => second.close());
    expect(second.recovery.events).toBe(6);
    const { f: f2 } = forwarder(server.url, second);
    f2.resume();
    expect(await f2.drain(10_000)).toBe(true);
    expect(seqsOf(server.batches).flat()).toEqual([1, 2, 3, 4, 5, 6]);
    await second.close();
    const third = FileSpool.open({ dir, logger: memoryLogger() });
    cleanups.push(() => third.close());
    expect(third.recovery.events).toBe(0);
  });
});
