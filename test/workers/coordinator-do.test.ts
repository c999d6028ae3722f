// The ShardCoordinator Durable Object in the Workers runtime: an authenticated host connection over a
// hibernating WebSocket, assignments pushed, per-shard fencing at /events, state surviving eviction, the alarm.
import { env, evictDurableObject, runInDurableObject, SELF } from 'cloudflare:test';
import type { PresenceUpdateStatus } from 'discord-api-types/v10';
import { describe, expect, it } from 'vitest';
import {
  EdgeshardError,
  ERROR_CODES,
  LEASE_PROTOCOL_VERSION as v,
  type CoordinatorMessage,
  type HostMessage,
} from '../../protocol/index.ts';
import { coordinatorGateway } from '../../workers/coordinator/gateway.ts';
import { coordinatorStub } from '../../workers/coordinator/stub.ts';
import type { ShardCoordinator } from '../../workers/durable-objects/coordinator.ts';
import { batch, envelope, SECRET, signedRequest, leaseConnect } from './helpers.ts';

const gateway = {
  maxConcurrency: 1,
  sessionStartTotal: 1000,
  sessionStartRemaining: 1000,
  sessionStartResetAfterMs: 0,
};

async function connect(
  hostId: string,
  secret = SECRET,
): Promise<{
  res: Response;
  ws: WebSocket | null;
  inbox: CoordinatorMessage[];
  next(type: string): Promise<CoordinatorMessage>;
  send(m: HostMessage): void;
}> {
  const res = await leaseConnect(hostId, { secret: secret });
  const ws = res.webSocket;
  const inbox: CoordinatorMessage[] = [];
  const waiting: { type: string; resolve(m: CoordinatorMessage): void }[] = [];
  ws?.accept();
  ws?.addEventListener('message', (e) => {
    const msg = JSON.parse(String(e.data)) as CoordinatorMessage;
    const i = waiting.findIndex((w) => w.type === msg.type);
    if (i >= 0) waiting.splice(i, 1)[0]!.resolve(msg);
    else inbox.push(msg);
  });
  return {
    res,
    ws,
    inbox,
    next: (type) => {
      const i = inbox.findIndex((m) => m.type === type);
      if (i >= 0) return Promise.resolve(inbox.splice(i, 1)[0]!);
      return new Promise((resolve) => waiting.push({ type, resolve }));
    },
    send: (m) => ws!.send(JSON.stringify(m)),
  };
}

describe('ShardCoordinator DO', () => {
  it('refuses a lease connection with a bad signature before it reaches the coordinator', async () => {
    const { res } = await connect('host-x', 'another-secret-entirely');
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('bad_signature');
  });

  it('assigns shards over the WebSocket, fences stale batches at /events, and keeps its table across eviction', async () => {
    const host = await connect('host-a');
    expect(host.res.status).toBe(101);
    host.send({ v, type: 'hello', id: 1, capacity: 4, shardCount: 2, gateway, shards: [] });
    expect(await host.next('welcome')).toMatchObject({ leaseTtlMs: 15_000, renewEveryMs: 5_000, shardCount: 2 });
    expect(await host.next('renewed')).toEqual({ v, type: 'renewed', id: 1 });
    const assigns = [await host.next('assign'), await host.next('assign')] as Extract<
      CoordinatorMessage,
      { type: 'assign' }
    >[];
    expect(assigns.map((a) => [a.shard, a.epoch])).toEqual([
      [0, 1],
      [1, 1],
    ]);

    // Events from epoch 0 (a host that never held the lease) are fenced, each answered why; epoch 1 passes.
    const stale = await SELF.fetch('http://worker/events', await signedRequest(JSON.stringify(batch([envelope(1)]))));
    expect(stale.status).toBe(200);
    expect(await stale.json()).toEqual({
      v: 2,
      results: [
        {
          id: 'discord:0:s1:1',
          outcome: 'fenced',
          error:
            'stale lease epoch 0 for shard 0 (current 1): host test-host no longer owns this shard; ' +
            'its new owner resumes the session and the platform replays these events to it',
        },
      ],
    });
    const current = await SELF.fetch(
      'http://worker/events',
      await signedRequest(JSON.stringify(batch([envelope(2, 'TYPING_START')], { 0: 1 }))),
    );
    expect(current.status).toBe(200);
    expect(await current.json()).toEqual({ v: 2, results: [{ id: 'discord:0:s1:2', outcome: 'ack' }] });

    host.send({
      v,
      type: 'renew',
      id: 2,
      shards: assigns.map((a) => ({
        shard: a.shard,
        epoch: 1,
        state: 'ready',
        session: { sessionId: `s${a.shard}`, resumeUrl: 'wss://gateway-us-east1-b.discord.gg', seq: 7 },
        latencyMs: 30,
        guilds: 2,
        lastEventAgeMs: 0,
      })),
    });
    await host.next('renewed');

    const stub = coordinatorStub(env);
    const before = await stub.status();
    expect(before.shards.map((s) => [s.owner, s.epoch, s.state, s.seq])).toEqual([
      ['host-a', 1, 'ready', 7],
      ['host-a', 1, 'ready', 7],
    ]);
    const alarm = await runInDurableObject(stub, (_o: ShardCoordinator, state) => state.storage.getAlarm());
    expect(alarm).toBe(before.now + before.hosts[0]!.leaseExpiresInMs); // the earliest deadline: host-a's lease

    await evictDurableObject(stub);
    const after = await stub.status();
    expect(after.shards).toEqual(before.shards.map((s) => ({ ...s, lastEventAgeMs: expect.any(Number) })));
    expect(after.hosts.map((h) => [h.id, h.capacity, h.shards])).toEqual([['host-a', 4, 2]]);
    expect(after.identify).toEqual(before.identify);
    // A handler's gateway command reaches the owning host over its lease connection.
    const guild = String((1n << 22n) | 5n); // (id >> 22) % 2 = 1
    expect(await stub.command(guild, { op: 3, d: { status: 'idle' } })).toEqual({
      ok: true,
      value: { shard: 1, host: 'host-a' },
    });
    expect(await host.next('command')).toEqual({
      v,
      type: 'command',
      shard: 1,
      epoch: 1,
      payload: { op: 3, d: { status: 'idle' } },
    });
    host.ws!.close(1000, 'done');
  });

  it('answers the status page only with the token', async () => {
    const res = await SELF.fetch('http://worker/status.json');
    expect(res.status).toBe(404); // EDGESHARD_STATUS_TOKEN is not set in this test environment
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain('EDGESHARD_STATUS_TOKEN');
  });

  it("a handler catches the coordinator's errors by class and code across the Durable Object call", async () => {
    // host-a (earlier test) owns the shard but its socket is closed: the coordinator refuses with NOT_AVAILABLE.
    const err = await coordinatorGateway(env)
      .send('80351110224678912', {
        op: 3,
        d: { since: null, activities: [], status: 'idle' as PresenceUpdateStatus, afk: false },
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EdgeshardError);
    expect((err as EdgeshardError).code).toBe(ERROR_CODES.NOT_AVAILABLE);
    expect((err as Error).message).toMatch(/not connected right now|no shard host has announced itself/);
  });
});
