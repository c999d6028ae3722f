// The emulator under a reshard: two generations of one shard id side by side (each a shard of its own,
// counted apart), guilds split by (guild_id >> 22) % count for each count, 4011 past the per-shard limit,
// guilds added at runtime, and /gateway/bot recommending more shards as the guild count grows.
import { afterEach, describe, expect, it } from 'vitest';
import { shardForGuild, startEmulator, type Emulator } from '../../../emulator/index.ts';
import { connect, event, identify, identifyPayload, op, waitFor } from './client.ts';

let emu: Emulator;
afterEach(() => emu.close());

const start = (o: { guilds?: number; guildsPerShardLimit?: number } = {}) =>
  startEmulator({ port: 0, shards: 2, maxConcurrency: 4, identifyWindowMs: 50, heartbeatIntervalMs: 1000, ...o });

const control = async (path: string, body: unknown) =>
  (await fetch(`${emu.url}/_emulator${path}`, { method: 'POST', body: JSON.stringify(body) })).json();

describe('emulator: resharding', () => {
  it('runs shard 0 of 2 and shard 0 of 4 at once: each gets its own guilds and both get a message of a guild they share', async () => {
    emu = await start({ guilds: 8 });
    const old = await identify(emu.gatewayUrl, emu.token, [0, 2]);
    await new Promise((r) => setTimeout(r, 80)); // same bucket (0 % 4): one identify per window
    const next = await identify(emu.gatewayUrl, emu.token, [0, 4]);
    const ids = (count: number) => emu.world.guilds.filter((g) => shardForGuild(g.id, count) === 0).map((g) => g.id);
    expect(old.ready.d.guilds.map((g: { id: string }) => g.id)).toEqual(ids(2));
    expect(next.ready.d.guilds.map((g: { id: string }) => g.id)).toEqual(ids(4));
    expect(ids(4).every((id) => ids(2).includes(id))).toBe(true);
    const c = emu.counters();
    expect([c.openConnectionsByGeneration, c.maxConcurrentConnectionsByGeneration]).toEqual([
      { '0/2': 1, '0/4': 1 },
      { '0/2': 1, '0/4': 1 },
    ]);
    const channel = emu.world.guilds.find((g) => g.id === ids(4)[0])!.channels[0]!;
    const said = emu.say({ channelId: channel.id, content: '!ping' });
    const [a, b] = await Promise.all([
      old.client.next((p) => p.op === 0 && p.t === 'MESSAGE_CREATE'),
      next.client.next((p) => p.op === 0 && p.t === 'MESSAGE_CREATE'),
    ]);
    expect([a.d.id, b.d.id]).toEqual([said.id, said.id]);
    await old.client.close(1000);
    await waitFor(() => emu.counters().openConnectionsByGeneration['0/2'] === 0 || undefined);
    expect(emu.counters().openConnectionsByGeneration).toEqual({ '0/2': 0, '0/4': 1 });
    await next.client.close();
  });

  it('closes a shard that would hold more guilds than its share with 4011', async () => {
    emu = await start({ guilds: 8, guildsPerShardLimit: 3 });
    const client = await connect(emu.gatewayUrl);
    await client.next(op(10));
    client.send(2, identifyPayload(emu.token, [0, 2])); // 4 guilds > 3
    expect((await client.closed).code).toBe(4011);
    const ok = await identify(emu.gatewayUrl, emu.token, [0, 4]); // 2 guilds
    expect(ok.ready.d.guilds).toHaveLength(2);
    await ok.client.close();
  });

  it('a guild joining a shard already at its limit closes that shard with 4011', async () => {
    emu = await start({ guilds: 8, guildsPerShardLimit: 4 });
    const s0 = await identify(emu.gatewayUrl, emu.token, [0, 2]);
    const s1 = await identify(emu.gatewayUrl, emu.token, [1, 2]);
    await control('/guilds', { count: 1 }); // guild 8: shard 0 of 2, its fifth
    expect((await s0.client.closed).code).toBe(4011);
    await waitFor(() => emu.counters().openConnectionsByGeneration['0/2'] === 0 || undefined);
    expect(emu.counters().openConnectionsByGeneration).toEqual({ '0/2': 0, '1/2': 1 });
    await s1.client.close();
  });

  it('adds guilds at runtime: GUILD_CREATE to the sessions owning them, and /gateway/bot recommends more shards', async () => {
    emu = await start({ guilds: 8 });
    const gatewayBot = async () =>
      (
        (await (
          await fetch(`${emu.apiUrl}/gateway/bot`, { headers: { authorization: `Bot ${emu.token}` } })
        ).json()) as {
          shards: number;
        }
      ).shards;
    expect(await gatewayBot()).toBe(2);
    const s = await identify(emu.gatewayUrl, emu.token, [1, 2]);
    for (const _ of s.ready.d.guilds) await s.client.next(event('GUILD_CREATE'));
    expect(await control('/guilds', { count: 2 })).toEqual({ added: 2, guilds: 10 });
    const joined = await s.client.next(event('GUILD_CREATE'));
    expect(shardForGuild(joined.d.id, 2)).toBe(1);
    expect(emu.world.guilds.at(-1)!.id).toBe(joined.d.id); // guild 9: odd, shard 1 of 2
    expect(await control('/guilds', { count: 2991 })).toEqual({ added: 2991, guilds: 3001 });
    expect(await gatewayBot()).toBe(4);
    expect(await control('/guilds', { count: 0 })).toEqual({ error: 'count must be an integer from 1 to 100000' });
    await s.client.close();
  });
});
