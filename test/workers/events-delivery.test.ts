// /events beyond the basics: the handler budget, queue mode intake, and the queue consumer.
import {
  createExecutionContext,
  createMessageBatch,
  env,
  getQueueResult,
  waitOnExecutionContext,
} from 'cloudflare:test';
import { beforeEach, describe, expect, it } from 'vitest';
import type { EventEnvelope } from '../../protocol/index.ts';
import { createApp } from '../../workers/app.ts';
import { onDiscord, Registry } from '../../workers/dispatch/registry.ts';
import type { Env } from '../../workers/env.ts';
import { queueConsumer, retryDelaySeconds } from '../../workers/queue/consumer.ts';
import { chunkForQueue, MAX_MESSAGE_BYTES, MAX_SEND_MESSAGES } from '../../workers/queue/enqueue.ts';
import { batch, envelope, resetCoordinator, signedRequest } from './helpers.ts';

// Each test sends the same event ids: start each with an empty delivery ledger.
beforeEach(resetCoordinator);

type Results = { results: { id: string; outcome: string; error?: string }[] };

/** A stand-in for the Queue binding (a platform service, not one of our components). */
function fakeQueue(fail = false) {
  const sent: EventEnvelope[][] = [];
  const queue = {
    async sendBatch(messages: Iterable<{ body: EventEnvelope }>) {
      if (fail) throw new Error('queue unavailable');
      sent.push([...messages].map((m) => m.body));
      return {};
    },
  };
  return { queue: queue as unknown as Queue<EventEnvelope>, sent };
}

async function post(app: ReturnType<typeof createApp>, body: string, bindings: Partial<Env>) {
  const ctx = createExecutionContext();
  const res = await app.request('/events', await signedRequest(body), { ...env, ...bindings }, ctx);
  return { res, ctx };
}

describe('the handler budget', () => {
  it('acknowledges an event whose handler is over budget and lets the handler finish in waitUntil', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const finished: string[] = [];
    const app = createApp(
      new Registry([
        onDiscord('MESSAGE_CREATE', async (message, ctx) => {
          if (message.id === 'slow') await gate;
          finished.push(ctx.event.id);
        }),
      ]),
    );
    const body = JSON.stringify(
      batch([envelope(1, 'MESSAGE_CREATE', { id: 'slow' }), envelope(2, 'MESSAGE_CREATE', { id: 'fast' })]),
    );
    const { res, ctx } = await post(app, body, { EDGESHARD_HANDLER_BUDGET_MS: '20' });
    expect(((await res.json()) as Results).results).toEqual([
      { id: 'discord:0:s1:1', outcome: 'ack' },
      { id: 'discord:0:s1:2', outcome: 'ack' },
    ]);
    expect(finished).toEqual(['discord:0:s1:2']);
    release();
    await waitOnExecutionContext(ctx);
    expect(finished).toEqual(['discord:0:s1:2', 'discord:0:s1:1']);
  });

  it('refuses a budget setting that is not a positive number, naming it', async () => {
    const app = createApp(new Registry([]));
    const { res } = await post(app, JSON.stringify(batch([envelope(1)])), { EDGESHARD_HANDLER_BUDGET_MS: 'soon' });
    expect(res.status).toBe(500);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/EDGESHARD_HANDLER_BUDGET_MS/);
  });
});

describe('queue mode intake', () => {
  const seen: string[] = [];
  const app = createApp(new Registry([onDiscord('MESSAGE_CREATE', (_m, ctx) => void seen.push(ctx.event.id))]));

  it('enqueues the events, acknowledges them, and runs no handler in the request', async () => {
    seen.length = 0;
    const { queue, sent } = fakeQueue();
    const body = JSON.stringify(batch([envelope(1), envelope(2)]));
    const { res } = await post(app, body, { EDGESHARD_DELIVERY: 'queue', EVENTS_QUEUE: queue });
    expect(res.status).toBe(200);
    expect(((await res.json()) as Results).results.map((r) => r.outcome)).toEqual(['ack', 'ack']);
    expect(sent.flat().map((e) => e.id)).toEqual(['discord:0:s1:1', 'discord:0:s1:2']);
    expect(seen).toEqual([]);
  });

  it('a packed batch: several shards’ events go out in one chunk, and the consumer runs each once', async () => {
    seen.length = 0;
    const { queue, sent } = fakeQueue();
    const events = [0, 1, 2].map((shard) => ({ ...envelope(1), shard, id: `discord:${shard}:s1:1` }));
    const { res } = await post(app, JSON.stringify(batch(events, { 1: 0, 2: 0 })), {
      EDGESHARD_DELIVERY: 'queue',
      EVENTS_QUEUE: queue,
    });
    expect(((await res.json()) as Results).results.map((r) => r.outcome)).toEqual(['ack', 'ack', 'ack']);
    expect(sent.map((chunk) => chunk.map((e) => e.id))).toEqual([events.map((e) => e.id)]);
    expect(seen).toEqual([]);
    const messages = sent[0]!.map((body, i) => ({ id: `m${i}`, timestamp: Date.now(), attempts: 1, body }));
    const queueBatch = createMessageBatch<unknown>('edgeshard-events', messages);
    const ctx = createExecutionContext();
    await queueConsumer(new Registry([onDiscord('MESSAGE_CREATE', (_m, c) => void seen.push(c.event.id))]))(
      queueBatch,
      env,
      ctx,
    );
    expect((await getQueueResult(queueBatch, ctx)).explicitAcks).toEqual(['m0', 'm1', 'm2']);
    expect(seen).toEqual(events.map((e) => e.id));
  });

  it('answers retry for every event when the queue refuses them', async () => {
    const { queue } = fakeQueue(true);
    const { res } = await post(app, JSON.stringify(batch([envelope(1)])), {
      EDGESHARD_DELIVERY: 'queue',
      EVENTS_QUEUE: queue,
    });
    const results = ((await res.json()) as Results).results;
    expect(results).toEqual([
      { id: 'discord:0:s1:1', outcome: 'retry', error: 'queue refused the events: queue unavailable' },
    ]);
  });

  it('dispatches an event too large for a queue message directly', async () => {
    seen.length = 0;
    const { queue, sent } = fakeQueue();
    const big = envelope(1, 'MESSAGE_CREATE', { id: 'big', content: 'x'.repeat(MAX_MESSAGE_BYTES) });
    const { res } = await post(app, JSON.stringify(batch([big, envelope(2)])), {
      EDGESHARD_DELIVERY: 'queue',
      EVENTS_QUEUE: queue,
    });
    expect(((await res.json()) as Results).results.map((r) => r.outcome)).toEqual(['ack', 'ack']);
    expect(seen).toEqual(['discord:0:s1:1']);
    expect(sent.flat().map((e) => e.id)).toEqual(['discord:0:s1:2']);
  });

  it('refuses queue mode without the queue binding, naming the fix', async () => {
    const { res } = await post(app, JSON.stringify(batch([envelope(1)])), { EDGESHARD_DELIVERY: 'queue' });
    expect(res.status).toBe(500);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/--env queue/);
  });

  it('splits events into sendBatch calls within the queue limits', () => {
    const events = Array.from({ length: 250 }, (_, i) => envelope(i));
    const { chunks, tooLarge } = chunkForQueue(events);
    expect(chunks.map((c) => c.length)).toEqual([MAX_SEND_MESSAGES, MAX_SEND_MESSAGES, 50]);
    expect(tooLarge).toEqual([]);
    const heavy = Array.from({ length: 5 }, (_, i) => envelope(i, 'MESSAGE_CREATE', { pad: 'y'.repeat(100 * 1024) }));
    expect(chunkForQueue(heavy).chunks.map((c) => c.length)).toEqual([2, 2, 1]);
  });
});

describe('the queue consumer', () => {
  it('acks handled events and retries only the one whose handler threw', async () => {
    const consumer = queueConsumer(
      new Registry([
        onDiscord('MESSAGE_CREATE', (message) => {
          if (message.id === 'bad') throw new Error('boom');
        }),
      ]),
    );
    const messages = [
      { id: 'm1', timestamp: Date.now(), attempts: 1, body: envelope(1, 'MESSAGE_CREATE', { id: 'good' }) },
      { id: 'm2', timestamp: Date.now(), attempts: 2, body: envelope(2, 'MESSAGE_CREATE', { id: 'bad' }) },
      { id: 'm3', timestamp: Date.now(), attempts: 1, body: { not: 'an event' } },
    ];
    const queueBatch = createMessageBatch<unknown>('edgeshard-events', messages);
    const ctx = createExecutionContext();
    await consumer(queueBatch, env, ctx);
    const result = await getQueueResult(queueBatch, ctx);
    expect(result.explicitAcks).toEqual(['m1']);
    expect(result.retryMessages.map((m) => m.msgId)).toEqual(['m2', 'm3']);
  });

  const delays: [number, number][] = [
    [1, 2],
    [2, 4],
    [5, 32],
    [9, 300],
    [40, 300],
  ];
  for (const [attempts, seconds] of delays) {
    it(`waits ${seconds} s before retrying a message on attempt ${attempts}`, () => {
      expect(retryDelaySeconds(attempts)).toBe(seconds);
    });
  }
});
