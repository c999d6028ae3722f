// A rolling upgrade of the shard hosts under traffic (docs/operations.md, "Rolling upgrade of the hosts"):
// three hosts are restarted one by one with SIGTERM while users keep talking; every shard comes back by
// resume (no identify), every MESSAGE_CREATE reaches a handler once, and every !ping gets exactly one pong.
// The hosts lease their shards from the coordinator, as every host does.
import type { APIMessage } from 'discord-api-types/v10';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../scripts/lib/proc.ts';
import { startCluster, type Cluster } from './coordinator-system.ts';

const SHARDS = 4;
const HOSTS = ['host-a', 'host-b', 'host-c'];
/** Discord docs, Topics > Gateway > Sharding: shard_id = (guild_id >> 22) % num_shards. */
const shardOf = (guildId: string) => Number((BigInt(guildId) >> 22n) % BigInt(SHARDS));

describe('rolling upgrade of the shard hosts', () => {
  let cluster: Cluster;

  beforeAll(async () => {
    cluster = await startCluster(
      [
        '--shards',
        String(SHARDS),
        '--max-concurrency',
        '2',
        '--guilds',
        '12',
        '--rate',
        '10',
        '--identify-window-ms',
        '1000',
      ],
      { EDGESHARD_IDENTIFY_WINDOW_MS: '1500' },
    );
    for (const id of HOSTS) cluster.startHost(id);
    await cluster.allReady(SHARDS, 80_000);
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  it('restarts every host in turn: no identify, every event handled once, every !ping answered once', async () => {
    const world = await cluster.emu<{ guilds: { id: string; channels: { id: string }[] }[] }>('/_emulator/world');
    const channels = Array.from({ length: SHARDS }, (_, shard) =>
      world.guilds.find((g) => shardOf(g.id) === shard)!,
    ).map((g) => g.channels[0]!.id);
    expect(channels.length).toBe(SHARDS);
    const say = (channel_id: string) =>
      cluster.emu<APIMessage>('/_emulator/say', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ channel_id, content: '!ping' }),
      });
    const before = await cluster.counters();
    const pings: string[] = [];

    for (const id of HOSTS) {
      const old = cluster.hosts.find((h) => h.id === id && h.child.exitCode === null)!;
      const stopped = old.stop('SIGTERM', 30_000);
      // Pings while the host hands its shards over, one per shard.
      for (const channel of channels) pings.push((await say(channel)).id);
      expect(await stopped, `${id} exit code after SIGTERM`).toBe(0);
      cluster.startHost(id); // same id, same spool directory: the upgraded process
      // Back in service means holding its share again (taken by handoff), not only every shard ready.
      await waitFor(
        `${id} to take its share back`,
        async () => {
          const s = await cluster.allReady(SHARDS, 60_000);
          return s.shards.some((sh) => sh.owner === id) ? s : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 250 },
      );
      for (const channel of channels) pings.push((await say(channel)).id);
    }

    const { sent, duplicates } = await cluster.everyMessageHandled(120_000);
    expect(sent.length > pings.length).toBe(true); // the background traffic ran throughout
    expect(duplicates, 'MESSAGE_CREATEs handled twice').toBe(0);
    const pongs = await waitFor(
      'a pong for every !ping',
      async () => {
        const replies = (await cluster.emu<APIMessage[]>('/_emulator/messages')).filter((m) => m.content === 'pong');
        const answered = new Set(replies.map((m) => m.message_reference?.message_id));
        return pings.every((p) => answered.has(p)) ? replies : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 250 },
    );
    const perPing = new Map<string, number>();
    for (const m of pongs)
      perPing.set(m.message_reference!.message_id!, (perPing.get(m.message_reference!.message_id!) ?? 0) + 1);
    expect(pings.filter((p) => perPing.get(p) !== 1)).toEqual([]);
    const after = await cluster.counters();
    expect(after.identifies - before.identifies, 'identifies during the upgrade').toBe(0);
    for (let s = 0; s < SHARDS; s++) expect(after.maxConcurrentConnections[String(s)], `shard ${s}`).toBe(1);
    // wrangler dev offline: no request.cf lookup, so no DNS stack traces (scripts/lib/stack.ts).
    expect(cluster.worker.lines.filter((l) => /ENOTFOUND|Request\.cf/.test(l))).toEqual([]);
  });
});
