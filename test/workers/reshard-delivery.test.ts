// The delivery rule of a reshard (workers/coordinator/admit.ts), in the Workers runtime with the real
// ShardCoordinator: two hosts over their WebSockets, the reshard started by signed POST /coordinator/reshard,
// batches of both generations at /events. Before the switch the new generation is acknowledged and runs
// nothing; in the switch window both run, and a message both generations deliver runs once (by its id).
import { env, evictDurableObject, SELF } from 'cloudflare:test';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  LEASE_PROTOCOL_VERSION as v,
  PROTOCOL_VERSION,
  RESHARD_PATH,
  signedHeaders,
  type CoordinatorMessage,
  type EventResult,
  type HostMessage,
  type ReshardAnswer,
} from '../../protocol/index.ts';
import { createApp } from '../../workers/app.ts';
import { onDiscord, Registry } from '../../workers/dispatch/registry.ts';
import { coordinatorStub } from '../../workers/coordinator/stub.ts';
import type { Env } from '../../workers/env.ts';
import { resetCoordinator, SECRET, signedRequest, leaseConnect, postEvents } from './helpers.ts';

beforeEach(resetCoordinator);

type Assign = Extract<CoordinatorMessage, { type: 'assign' }>;

async function host(id: string) {
  const ws = (await leaseConnect(id)).webSocket!;
  const inbox: CoordinatorMessage[] = [];
  ws.accept();
  ws.addEventListener('message', (e) => inbox.push(JSON.parse(String(e.data)) as CoordinatorMessage));
  const send = (m: HostMessage) => ws.send(JSON.stringify(m));
  const gateway = {
    maxConcurrency: 1,
    sessionStartTotal: 1000,
    sessionStartRemaining: 1000,
    sessionStartResetAfterMs: 0,
  };
  send({ v, type: 'hello', id: 1, capacity: 4, shardCount: 2, gateway, shards: [], answers: true });
  await settle();
  const assigns = () => inbox.filter((m): m is Assign => m.type === 'assign');
  const ready = (rows: Assign[]) =>
    send({
      v,
      type: 'renew',
      id: 2,
      shards: rows.map((r) => ({
        shard: r.shard,
        epoch: r.epoch,
        state: 'ready',
        session: null,
        latencyMs: 1,
        guilds: 1,
        lastEventAgeMs: 1,
        guildsPending: 0,
      })),
    });
  return { inbox, assigns, ready, close: () => ws.close(1000, 'done') };
}

const settle = () => new Promise((r) => setTimeout(r, 50));

async function reshard(body: unknown): Promise<ReshardAnswer> {
  const text = JSON.stringify(body);
  const res = await SELF.fetch(`http://worker${RESHARD_PATH}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(await signedHeaders(SECRET, text)) },
    body: text,
  });
  expect(res.status).toBe(200);
  return (await res.json()) as ReshardAnswer;
}

function bot() {
  const runs: string[] = [];
  const app = createApp(
    new Registry([onDiscord('MESSAGE_CREATE', (message, ctx) => void runs.push(`${message.id}@${ctx.event.shard}`))]),
  );
  /** One packed batch of MESSAGE_CREATEs (message ids), a part per lease (`a`) it carries events of; seqs
   *  continue per session. Answers the outcomes, or the status when it is not 200. */
  const seqs = new Map<string, number>();
  const postPacked = async (hostId: string, parts: { a: Assign; ids: string[] }[]): Promise<string[]> => {
    const events = parts.flatMap(({ a, ids }) =>
      ids.map((id) => {
        const session = `s${a.shardCount}-${a.shard}`;
        const seq = (seqs.get(session) ?? 0) + 1;
        seqs.set(session, seq);
        return {
          id: `discord:${a.shard}:${session}:${seq}`,
          platform: 'discord' as const,
          shard: a.shard,
          session,
          seq,
          type: 'MESSAGE_CREATE',
          data: { id, content: 'hi', author: { id: '1', bot: false } },
          receivedAt: Date.now(),
        };
      }),
    );
    const epochs = Object.fromEntries(parts.map(({ a }) => [a.shard, a.epoch]));
    const body = JSON.stringify({ v: PROTOCOL_VERSION, host: hostId, epochs, events });
    const res = await postEvents(app, await signedRequest(body));
    if (res.status !== 200) return [`${res.status}`];
    return ((await res.json()) as { results: EventResult[] }).results.map((r) => r.outcome);
  };
  /** A batch of one lease's events. */
  const post = (a: Assign, hostId: string, messageIds: string[]) => postPacked(hostId, [{ a, ids: messageIds }]);
  return { runs, post, postPacked };
}

describe('reshard delivery', () => {
  it('the old generation serves until the switch; in the window a message both deliver runs once; then the old is stale', async () => {
    const a = await host('host-a');
    const b = await host('host-b');
    const old = a.assigns(); // host-a took both shards of the first generation
    expect(old.map((x) => [x.shard, x.shardCount])).toEqual([
      [0, 2],
      [1, 2],
    ]);
    expect((await reshard({ shards: 4 })).reshard).toMatchObject({ kind: 'identifying', from: 2, to: 4 });
    await settle();
    const newA = a.assigns().filter((x) => x.shardCount === 4);
    const newB = b.assigns().filter((x) => x.shardCount === 4);
    const { runs, post } = bot();
    const old0 = old.find((x) => x.shard === 0)!;
    const new0 = newB.find((x) => x.shard === 0)!;

    // Identifying: the old generation runs; the new one is acknowledged without running anything.
    expect(await post(old0, 'host-a', ['m1'])).toEqual(['ack']);
    expect(await post(new0, 'host-b', ['m1', 'm2'])).toEqual(['ack', 'ack']);
    expect(await post(old0, 'host-a', ['m2'])).toEqual(['ack']);
    expect(runs).toEqual(['m1@0', 'm2@0']);

    // Switch: every new shard READY with its guilds.
    a.ready([...old, ...newA]);
    b.ready(newB);
    await settle();
    expect((await reshard({})).reshard.kind).toBe('switching');
    expect(a.inbox.filter((m) => m.type === 'revoke').map((m) => (m as { reason: string }).reason)).toEqual([
      'retired',
      'retired',
    ]);

    // The window: both generations run, each message once whoever delivers it first.
    expect(await post(new0, 'host-b', ['m2', 'm3'])).toEqual(['ack', 'ack']); // m2 ran on the old one already
    expect(await post(old0, 'host-a', ['m3', 'm4'])).toEqual(['ack', 'ack']); // m3 ran on the new one
    expect(await post(new0, 'host-b', ['m4'])).toEqual(['ack']);
    expect(runs).toEqual(['m1@0', 'm2@0', 'm3@0', 'm4@0']);
    a.close();
    b.close();
  });

  it('a rolled-back reshard: the new generation is fenced as stale, the old keeps serving', async () => {
    const a = await host('host-a');
    const b = await host('host-b');
    await reshard({ shards: 4 });
    await settle();
    const new0 = b.assigns().find((x) => x.shardCount === 4 && x.shard === 0)!;
    // The status page shows the reshard in progress and the new generation's shards.
    const statusEnv = { ...env, EDGESHARD_STATUS_TOKEN: 'status-token-0123456789' };
    const auth = { headers: { authorization: 'Bearer status-token-0123456789' } };
    const app = createApp(new Registry([]));
    const json = (await (await app.request('/status.json', auth, statusEnv)).json()) as {
      reshard: { kind: string };
      nextShards: { shard: number; owner: string }[];
    };
    expect([json.reshard.kind, json.nextShards.map((x) => x.shard)]).toEqual(['identifying', [0, 1, 2, 3]]);
    const page = await (await app.request('/status', auth, statusEnv)).text();
    expect(page).toContain(
      '<p id="reshard">identifying 2 → 4: 0 / 4 new shards READY with their guilds · manual: npx shard-host reshard</p>',
    );
    expect(page.match(/<div class="cell /g)?.length).toBe(6); // 2 serving shards + 4 new ones
    expect((await reshard({ cancel: true })).reshard).toMatchObject({
      kind: 'rolled-back',
      why: 'cancelled by the operator',
    });
    const { runs, post } = bot();
    expect(await post(new0, 'host-b', ['m9'])).toEqual(['fenced']);
    expect(await post(a.assigns()[0]!, 'host-a', ['m9'])).toEqual(['ack']);
    expect(runs).toEqual(['m9@0']);
    a.close();
    b.close();
  });

  it('a packed batch mixing the new generation (before the switch) and the current one: only the current runs', async () => {
    const a = await host('host-a');
    const b = await host('host-b');
    const old = a.assigns();
    await reshard({ shards: 4 });
    await settle();
    const next = [...a.assigns(), ...b.assigns()].filter((x) => x.shardCount === 4);
    const old0 = old.find((x) => x.shard === 0)!;
    const old1 = old.find((x) => x.shard === 1)!;
    const new2 = next.find((x) => x.shard === 2)!; // shard 2 exists only in the new generation
    const { runs, post, postPacked } = bot();
    expect(
      await postPacked('host-a', [
        { a: old0, ids: ['m1'] },
        { a: new2, ids: ['m2', 'm3'] },
      ]),
    ).toEqual(['ack', 'ack', 'ack']);
    expect(runs).toEqual(['m1@0']);
    // The new generation's events were settled by their stream only: the old generation's copy of m2 runs.
    expect(await post(old1, 'host-a', ['m2'])).toEqual(['ack']);
    expect(runs).toEqual(['m1@0', 'm2@1']);
    a.close();
    b.close();
  });

  it('a reshard in progress survives the coordinator restarting (stored with the table)', async () => {
    const a = await host('host-a');
    const b = await host('host-b');
    await reshard({ shards: 4 });
    await settle();
    const stub = coordinatorStub(env as unknown as Env);
    const before = await stub.status();
    await evictDurableObject(stub);
    const after = await stub.status();
    expect([after.shardCount, after.reshard.kind, after.reshard.from, after.reshard.to]).toEqual([
      2,
      'identifying',
      2,
      4,
    ]);
    expect(after.nextShards.map((x) => [x.shard, x.owner, x.epoch])).toEqual(
      before.nextShards.map((x) => [x.shard, x.owner, x.epoch]),
    );
    expect(after.shards.map((x) => [x.shard, x.owner, x.epoch])).toEqual(
      before.shards.map((x) => [x.shard, x.owner, x.epoch]),
    );
    a.close();
    b.close();
  });
});
