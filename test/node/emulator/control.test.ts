import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator, type EmulatorCounters, type World } from '../../../emulator/index.ts';
import { event, identify, waitFor } from './client.ts';

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator({ shards: 1, guilds: 3, identifyWindowMs: 1 });
});
afterAll(() => emu.close());

async function call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; json: T }> {
  const res = await fetch(`${emu.url}/_emulator${path}`, {
    method,
    ...(body !== undefined ? { body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } } : {}),
  });
  return { status: res.status, json: (await res.json()) as T };
}

describe('HTTP control API', () => {
  it('exposes world, say, dispatched, messages, state and shard controls', async () => {
    const world = (await call<World>('GET', '/world')).json;
    expect(world).toEqual(emu.world);
    const { client, ready } = await identify(emu.gatewayUrl, emu.token, [0, 1]);
    const channel = world.guilds[1]!.channels[2]!.id;
    const user = world.users[7]!.id;

    const said = await call<{ id: string; author: { id: string } }>('POST', '/say', {
      channel_id: channel,
      content: 'from http',
      user_id: user,
    });
    expect(said.status).toBe(200);
    expect(said.json.author.id).toBe(user);
    expect((await client.next(event('MESSAGE_CREATE'))).d.id).toBe(said.json.id);
    expect((await call('POST', '/say', { channel_id: '123', content: 'x' })).status).toBe(404);
    expect((await call('POST', '/say', { channel_id: channel, content: 'x', user_id: '1' })).status).toBe(400);

    const dispatched = await call<{ type: string; id: string }[]>('GET', '/dispatched?type=MESSAGE_CREATE');
    expect(dispatched.json).toEqual([
      { shard: 0, session: ready.d.session_id, seq: 5, type: 'MESSAGE_CREATE', id: said.json.id, delivered: true },
    ]);
    expect((await call<unknown[]>('GET', '/dispatched')).json).toHaveLength(5);
    expect((await call<unknown[]>('GET', '/messages')).json).toEqual([]);

    await call('POST', '/shards/0/heartbeat-acks', { enabled: false });
    await call('POST', '/shards/0/request-heartbeat');
    await client.next((p) => p.op === 1);
    await call('POST', '/shards/0/reconnect');
    await client.next((p) => p.op === 7);
    await call('POST', '/shards/0/close', { code: 4000, reason: 'bye' });
    expect(await client.closed).toEqual({ code: 4000, reason: 'bye' });
    await waitFor(() => emu.counters().openConnections[0] === 0);

    const state = (await call<EmulatorCounters>('GET', '/state')).json;
    expect(state).toMatchObject({
      identifies: 1,
      closesByCode: { 4000: 1 },
      dispatchesByType: { READY: 1, GUILD_CREATE: 3, MESSAGE_CREATE: 1 },
    });
    expect((await call('GET', '/nope')).status).toBe(404);
  });

  it('starts and stops the traffic generator with deterministic content', async () => {
    const { client } = await identify(emu.gatewayUrl, emu.token, [0, 1]);
    expect((await call('POST', '/traffic', { rate: 500 })).status).toBe(200);
    const seen: string[] = [];
    const guilds: string[] = [];
    for (let i = 0; i < 20; i++) {
      const p = await client.next(event('MESSAGE_CREATE'));
      seen.push(p.d.content);
      guilds.push(p.d.guild_id);
    }
    await call('POST', '/traffic', { rate: 0 });
    expect(seen).toEqual(Array.from({ length: 20 }, (_, i) => `msg-${i + 1}`));
    const ids = emu.dispatched('MESSAGE_CREATE').map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    // Round robin over every guild's channels: consecutive messages go to different guilds.
    expect(guilds.slice(0, 3)).toEqual(emu.world.guilds.map((g) => g.id));
    expect(guilds.every((g, i) => i === 0 || g !== guilds[i - 1])).toBe(true);
    expect((await call('POST', '/traffic', { rate: -1 })).status).toBe(400);
    await client.close();
  });
});
