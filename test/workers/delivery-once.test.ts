// Each event's handlers run once (workers/delivery/once.ts and the coordinator's ledger), in the Workers
// runtime with the real ShardCoordinator Durable Object: a signed batch sent again, the same id twice in one
// batch, two requests carrying the same event at once, a failed handler retried, a replay of dead letters.
import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test';
import { beforeEach, describe, expect, it } from 'vitest';
import type { EventResult } from '../../protocol/index.ts';
import { createApp } from '../../workers/app.ts';
import { onDiscord, Registry } from '../../workers/dispatch/registry.ts';
import { batch, envelope, resetCoordinator, signedRequest, postEvents } from './helpers.ts';

beforeEach(resetCoordinator);

function bot(options: { failOn?: string; slowMs?: number } = {}) {
  const runs: string[] = [];
  const app = createApp(
    new Registry([
      onDiscord('MESSAGE_CREATE', async (message, ctx) => {
        runs.push(ctx.event.id);
        if (options.slowMs) await new Promise((r) => setTimeout(r, options.slowMs));
        if (message.id === options.failOn) throw new Error('boom');
      }),
    ]),
  );
  const post = async (body: unknown): Promise<EventResult[]> => {
    const res = await postEvents(app, await signedRequest(JSON.stringify(body)));
    expect(res.status).toBe(200);
    return ((await res.json()) as { results: EventResult[] }).results;
  };
  return { runs, post };
}

const msg = (seq: number, id = String(seq)) => envelope(seq, 'MESSAGE_CREATE', { id });

describe('each event runs once', () => {
  it('a signed batch sent again is acknowledged without running any handler', async () => {
    const { runs, post } = bot();
    const body = batch([msg(1), msg(2)]);
    expect((await post(body)).map((r) => r.outcome)).toEqual(['ack', 'ack']);
    expect((await post(body)).map((r) => r.outcome)).toEqual(['ack', 'ack']);
    expect(runs).toEqual(['discord:0:s1:1', 'discord:0:s1:2']);
  });

  it('the same event id twice in one batch runs once, and both entries get its result', async () => {
    const { runs, post } = bot();
    const results = await post(batch([msg(1), msg(1), msg(2)]));
    expect(results).toEqual([
      { id: 'discord:0:s1:1', outcome: 'ack' },
      { id: 'discord:0:s1:1', outcome: 'ack' },
      { id: 'discord:0:s1:2', outcome: 'ack' },
    ]);
    expect(runs).toEqual(['discord:0:s1:1', 'discord:0:s1:2']);
  });

  it('a failed handler is not recorded: the retry runs it, and only it', async () => {
    let fail = true;
    const runs: string[] = [];
    const app = createApp(
      new Registry([
        onDiscord('MESSAGE_CREATE', (message, ctx) => {
          runs.push(ctx.event.id);
          if (message.id === '2' && fail) throw new Error('boom');
        }),
      ]),
    );
    const post = async (body: unknown) => {
      const res = await postEvents(app, await signedRequest(JSON.stringify(body)));
      return ((await res.json()) as { results: EventResult[] }).results.map((r) => r.outcome);
    };
    expect(await post(batch([msg(1), msg(2), msg(3)]))).toEqual(['ack', 'retry', 'ack']);
    fail = false;
    expect(await post(batch([msg(1), msg(2), msg(3)]))).toEqual(['ack', 'ack', 'ack']);
    expect(runs).toEqual(['discord:0:s1:1', 'discord:0:s1:2', 'discord:0:s1:3', 'discord:0:s1:2']);
  });

  it('two requests carrying the same event at once: one runs it, the other is told to retry', async () => {
    const { runs, post } = bot({ slowMs: 200 });
    const [a, b] = await Promise.all([post(batch([msg(1)])), post(batch([msg(1)]))]);
    expect([a[0]!.outcome, b[0]!.outcome].sort()).toEqual(['ack', 'retry']);
    expect(runs).toEqual(['discord:0:s1:1']);
    // The retry, once the first has finished, is acknowledged without running again.
    expect((await post(batch([msg(1)])))[0]!.outcome).toBe('ack');
    expect(runs).toEqual(['discord:0:s1:1']);
  });

  it('another session of the shard is another stream: its seq 1 is a new event', async () => {
    const { runs, post } = bot();
    await post(batch([msg(1)]));
    await post(batch([{ ...msg(1), session: 's2', id: 'discord:0:s2:1' }]));
    expect(runs).toEqual(['discord:0:s1:1', 'discord:0:s2:1']);
  });

  it('a replay of dead letters: a shard past the shard count is dead-lettered again, the other shards run', async () => {
    const { coordinatorStub } = await import('../../workers/coordinator/stub.ts');
    const { runInDurableObject } = await import('cloudflare:test');
    await runInDurableObject(coordinatorStub(env), (o: { admit: unknown }, state) => {
      state.storage.sql.exec(
        "INSERT OR REPLACE INTO meta (key, value) VALUES ('globals', ?)",
        JSON.stringify({
          shardCount: 2,
          maxConcurrency: 1,
          sessionStartTotal: null,
          sessionStartRemaining: null,
          sessionStartResetAt: null,
          identifiesGranted: 0,
        }),
      );
      return o;
    });
    const { evictDurableObject } = await import('cloudflare:test');
    await evictDurableObject(coordinatorStub(env));
    const { runs, post } = bot();
    const past = { ...msg(1), shard: 2, id: 'discord:2:s1:1' };
    expect(await post({ ...batch([msg(1), past, msg(2)]), replay: true })).toEqual([
      { id: 'discord:0:s1:1', outcome: 'ack' },
      {
        id: 'discord:2:s1:1',
        outcome: 'dead-letter',
        error: 'malformed event batch: shard 2 does not exist (the bot runs 2 shards)',
      },
      { id: 'discord:0:s1:2', outcome: 'ack' },
    ]);
    expect(runs).toEqual(['discord:0:s1:1', 'discord:0:s1:2']);
  });

  it('a packed batch of three shards costs one admit and one settle call to the coordinator', async () => {
    const calls: string[] = [];
    const ns = env.COORDINATOR;
    // The real coordinator, reached through a binding that counts the calls /events makes to it (admit and
    // settle are the only ones; any other would fail this request).
    const counting = {
      idFromName: (name: string) => ns.idFromName(name),
      get: (id: DurableObjectId) => {
        const stub = ns.get(id);
        return {
          admit: (...args: Parameters<typeof stub.admit>) => (calls.push('admit'), stub.admit(...args)),
          settle: (...args: Parameters<typeof stub.settle>) => (calls.push('settle'), stub.settle(...args)),
        };
      },
    };
    const runs: string[] = [];
    const app = createApp(new Registry([onDiscord('MESSAGE_CREATE', (_m, ctx) => void runs.push(ctx.event.id))]));
    const events = [0, 1, 2].flatMap((shard) =>
      [1, 2].map((seq) => ({ ...msg(seq), shard, id: `discord:${shard}:s1:${seq}` })),
    );
    const ctx = createExecutionContext();
    const res = await app.request(
      '/events',
      await signedRequest(JSON.stringify(batch(events))),
      { ...env, COORDINATOR: counting as unknown as typeof ns },
      ctx,
    );
    await waitOnExecutionContext(ctx);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { results: EventResult[] }).results.map((r) => r.outcome)).toEqual(
      Array(6).fill('ack'),
    );
    expect(runs).toEqual(events.map((e) => e.id));
    expect(calls).toEqual(['admit', 'settle']);
  });
});
