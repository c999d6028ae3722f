// The whole flow on one machine: emulator → shard host → Worker → handler → REST proxy → emulator.
import type { APIMessage } from 'discord-api-types/v10';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../scripts/lib/proc.ts';
import { startSystem, type System } from './system.ts';

interface World {
  guilds: { id: string; channels: { id: string }[] }[];
}

/** Discord docs, Topics > Gateway > Sharding: shard_id = (guild_id >> 22) % num_shards. */
const shardOf = (guildId: string, count: number) => Number((BigInt(guildId) >> 22n) % BigInt(count));
interface DispatchRecord {
  shard: number;
  type: string;
  id?: string;
}

describe('the whole flow on one machine', () => {
  let system: System;

  beforeAll(async () => {
    system = await startSystem(['--shards', '2', '--guilds', '6', '--rate', '20', '--identify-window-ms', '1000']);
    const host = system.startHost();
    await waitFor(
      'both shards to be READY',
      () => (host.lines.some((l) => l.includes('all shards ready')) ? true : undefined),
      { proc: host, timeoutMs: 30_000 },
    );
  });

  afterAll(async () => {
    await system?.stop();
  });

  it('answers !ping with exactly one pong per channel across both shards, and delivers every MESSAGE_CREATE', async () => {
    const world = await system.emu<World>('/_emulator/world');
    const channels = [0, 1].flatMap((shard) =>
      world.guilds
        .filter((g) => shardOf(g.id, 2) === shard)
        .slice(0, 2)
        .map((g) => g.channels[0]!.id),
    );
    expect(new Set(world.guilds.map((g) => shardOf(g.id, 2)))).toEqual(new Set([0, 1]));
    expect(channels).toHaveLength(4);

    const pings = await Promise.all(
      channels.map((channel_id) =>
        system.emu<APIMessage>('/_emulator/say', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ channel_id, content: '!ping' }),
        }),
      ),
    );

    const pongs = await waitFor(
      'a pong in every channel',
      async () => {
        const sent = (await system.emu<APIMessage[]>('/_emulator/messages')).filter((m) => m.content === 'pong');
        return sent.length >= channels.length ? sent : undefined;
      },
      { timeoutMs: 30_000 },
    );

    // Stop the background traffic, then wait until the ledger holds every MESSAGE_CREATE the emulator sent.
    await system.emu('/_emulator/traffic', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ rate: 0 }),
    });
    const sentIds = await waitFor(
      'every MESSAGE_CREATE to reach the handler',
      async () => {
        const dispatched = await system.emu<DispatchRecord[]>('/_emulator/dispatched?type=MESSAGE_CREATE');
        const ids = dispatched.map((d) => d.id!);
        const handled = new Set(system.ledger.entries.map((e) => e.messageId));
        return ids.length > 0 && ids.every((id) => handled.has(id)) ? ids : undefined;
      },
      { timeoutMs: 30_000 },
    );
    // A little longer, so a duplicate reply would have time to show.
    await new Promise((r) => setTimeout(r, 1000));
    const finalPongs = (await system.emu<APIMessage[]>('/_emulator/messages')).filter((m) => m.content === 'pong');

    expect(finalPongs).toHaveLength(pongs.length);
    expect(finalPongs.map((m) => m.channel_id).sort()).toEqual([...channels].sort());
    expect(finalPongs.map((m) => m.message_reference?.message_id).sort()).toEqual(pings.map((p) => p.id).sort());
    expect(sentIds.length).toBeGreaterThan(channels.length * 2); // pings, pongs and background traffic
    const ledgerShards = new Set(system.ledger.entries.map((e) => e.shard));
    expect(ledgerShards).toEqual(new Set([0, 1]));
  });
});
