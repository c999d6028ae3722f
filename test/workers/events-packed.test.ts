// A packed batch (event batch version 2) in the Workers runtime with the real ShardCoordinator: one request
// carries several shards' events, each shard fenced by its own lease epoch. A stale shard's events are
// answered `fenced` (the host drops them), a shard the bot does not run is dead-lettered; the other shards'
// events run, each once.
import { beforeEach, describe, expect, it } from 'vitest';
import {
  LEASE_PROTOCOL_VERSION as v,
  type CoordinatorMessage,
  type EventEnvelope,
  type EventResult,
} from '../../protocol/index.ts';
import { createApp } from '../../workers/app.ts';
import { onDiscord, Registry } from '../../workers/dispatch/registry.ts';
import { batch, envelope, resetCoordinator, signedRequest, leaseConnect, postEvents } from './helpers.ts';

beforeEach(resetCoordinator);

type Assign = Extract<CoordinatorMessage, { type: 'assign' }>;

/** A host holding every shard of the bot over its lease WebSocket; resolves with its assignments. */
async function hostOf(id: string, shardCount: number): Promise<{ assigns: Assign[]; close(): void }> {
  const ws = (await leaseConnect(id)).webSocket!;
  const assigns: Assign[] = [];
  const all = new Promise<void>((resolve) => {
    ws.addEventListener('message', (e) => {
      const m = JSON.parse(String(e.data)) as CoordinatorMessage;
      if (m.type === 'assign') assigns.push(m);
      if (assigns.length === shardCount) resolve();
    });
  });
  ws.accept();
  const gateway = {
    maxConcurrency: 1,
    sessionStartTotal: 1000,
    sessionStartRemaining: 1000,
    sessionStartResetAfterMs: 0,
  };
  ws.send(JSON.stringify({ v, type: 'hello', id: 1, capacity: 4, shardCount, gateway, shards: [] }));
  await all;
  return { assigns: assigns.sort((a, b) => a.shard - b.shard), close: () => ws.close(1000, 'done') };
}

function bot() {
  const runs: string[] = [];
  const app = createApp(new Registry([onDiscord('MESSAGE_CREATE', (_m, ctx) => void runs.push(ctx.event.id))]));
  const post = async (body: unknown): Promise<EventResult[]> => {
    const res = await postEvents(app, await signedRequest(JSON.stringify(body)));
    expect(res.status).toBe(200);
    return ((await res.json()) as { results: EventResult[] }).results;
  };
  return { runs, post };
}

const event = (shard: number, seq: number): EventEnvelope => ({
  ...envelope(seq, 'MESSAGE_CREATE', { id: `${shard}-${seq}` }),
  id: `discord:${shard}:s1:${seq}`,
  shard,
});

describe('a packed batch', () => {
  it('of three shards with one stale: that shard’s events are fenced, the other two run once', async () => {
    const host = await hostOf('host-a', 3);
    expect(host.assigns.map((a) => [a.shard, a.epoch])).toEqual([
      [0, 1],
      [1, 1],
      [2, 1],
    ]);
    const { runs, post } = bot();
    const events = [event(0, 1), event(1, 1), event(2, 1), event(0, 2), event(1, 2), event(2, 2)];
    // Shard 1 at epoch 0: this host's lease of it is older than the coordinator's.
    const body = { ...batch(events), host: 'host-a', epochs: { 0: 1, 1: 0, 2: 1 } };
    const fenced = (id: string): EventResult => ({
      id,
      outcome: 'fenced',
      error:
        'stale lease epoch 0 for shard 1 (current 1): host host-a no longer owns this shard; ' +
        'its new owner resumes the session and the platform replays these events to it',
    });
    const expected = [
      { id: 'discord:0:s1:1', outcome: 'ack' },
      fenced('discord:1:s1:1'),
      { id: 'discord:2:s1:1', outcome: 'ack' },
      { id: 'discord:0:s1:2', outcome: 'ack' },
      fenced('discord:1:s1:2'),
      { id: 'discord:2:s1:2', outcome: 'ack' },
    ];
    expect(await post(body)).toEqual(expected);
    expect(runs).toEqual(['discord:0:s1:1', 'discord:2:s1:1', 'discord:0:s1:2', 'discord:2:s1:2']);
    // Sent again: the same answers, and nothing runs twice.
    expect(await post(body)).toEqual(expected);
    expect(runs).toEqual(['discord:0:s1:1', 'discord:2:s1:1', 'discord:0:s1:2', 'discord:2:s1:2']);
    host.close();
  });

  it('with a shard past the shard count: its events are dead letters, the other shard’s run', async () => {
    const host = await hostOf('host-a', 2);
    const { runs, post } = bot();
    const body = { ...batch([event(0, 1), event(2, 1), event(0, 2)]), host: 'host-a', epochs: { 0: 1, 2: 1 } };
    expect(await post(body)).toEqual([
      { id: 'discord:0:s1:1', outcome: 'ack' },
      {
        id: 'discord:2:s1:1',
        outcome: 'dead-letter',
        error: 'malformed event batch: shard 2 does not exist (the bot runs 2 shards)',
      },
      { id: 'discord:0:s1:2', outcome: 'ack' },
    ]);
    expect(runs).toEqual(['discord:0:s1:1', 'discord:0:s1:2']);
    host.close();
  });
});
