// Safe by default (DESIGN.md guarantees 1 and 2), as a user runs it: three shard hosts started with the
// documented settings and nothing else, the Worker under wrangler dev, the emulator. Every `!ping` is
// answered exactly once, through a host SIGKILL, a host restart, and Worker outages of 20 s and 150 s (longer
// than the emulator keeps a disconnected session: 60 s); never two connections for one shard.
import type { APIMessage } from 'discord-api-types/v10';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../scripts/lib/proc.ts';
import { startCluster, type Cluster } from './coordinator-system.ts';

const SHARDS = 4;

interface World {
  guilds: { id: string; channels: { id: string }[] }[];
}

/** Discord docs, Topics > Gateway > Sharding: shard_id = (guild_id >> 22) % num_shards. */
const shardOf = (guildId: string) => Number((BigInt(guildId) >> 22n) % BigInt(SHARDS));

describe('each !ping answered exactly once, whatever fails', () => {
  let cluster: Cluster;
  /** One channel per shard. */
  let channels: string[];
  let round = 0;

  const say = (channel_id: string, content: string) =>
    cluster.emu<APIMessage>('/_emulator/say', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ channel_id, content }),
    });

  /** A `!ping` in every shard's channel, `times` rounds `everyMs` apart. */
  async function pings(times: number, everyMs: number): Promise<APIMessage[]> {
    const out: APIMessage[] = [];
    for (let i = 0; i < times; i++) {
      round++;
      out.push(...(await Promise.all(channels.map((c) => say(c, '!ping')))));
      if (i < times - 1) await new Promise((r) => setTimeout(r, everyMs));
    }
    return out;
  }

  /** Waits for a pong to every ping, then a little longer, and checks each ping got exactly one. */
  async function answeredOnce(sent: APIMessage[], timeoutMs = 60_000): Promise<void> {
    const ids = new Set(sent.map((p) => p.id));
    const repliesTo = async () =>
      (await cluster.emu<APIMessage[]>('/_emulator/messages')).filter(
        (m) => m.content === 'pong' && ids.has(m.message_reference?.message_id ?? ''),
      );
    await waitFor(
      `a pong to each of ${sent.length} pings`,
      async () => {
        const got = new Set((await repliesTo()).map((m) => m.message_reference!.message_id));
        return got.size === ids.size ? true : undefined;
      },
      { timeoutMs, intervalMs: 250 },
    );
    await new Promise((r) => setTimeout(r, 2_000)); // time for a second answer to show, if there were one
    const replies = await repliesTo();
    const perPing = new Map<string, number>();
    for (const m of replies)
      perPing.set(m.message_reference!.message_id!, (perPing.get(m.message_reference!.message_id!) ?? 0) + 1);
    expect(replies.length).toBe(sent.length);
    expect([...perPing.values()].every((n) => n === 1)).toBe(true);
  }

  async function oneConnectionPerShard(): Promise<void> {
    const c = await cluster.counters();
    for (let s = 0; s < SHARDS; s++) expect(c.maxConcurrentConnections[String(s)], `shard ${s}`).toBe(1);
  }

  beforeAll(async () => {
    cluster = await startCluster(
      [
        '--shards',
        String(SHARDS),
        '--guilds',
        '8',
        '--rate',
        '10',
        '--identify-window-ms',
        '500',
        '--session-timeout-ms',
        '60000',
      ],
      { EDGESHARD_IDENTIFY_WINDOW_MS: '600' },
    );
    // Only the README's settings (startHost adds the token, API and Worker URLs, secret, spool dir, host id).
    for (const id of ['host-a', 'host-b', 'host-c']) cluster.startHost(id);
    await cluster.allReady(SHARDS, 80_000);
    const world = await cluster.emu<World>('/_emulator/world');
    channels = Array.from({ length: SHARDS }, (_, s) => world.guilds.find((g) => shardOf(g.id) === s)!.channels[0]!.id);
  }, 120_000);

  afterAll(async () => {
    await cluster?.stop();
  });

  it('three hosts with no lease setting: one connection per shard, each !ping answered once', async () => {
    const status = await cluster.status();
    expect(new Set(status.shards.map((s) => s.owner)).size).toBe(3);
    await answeredOnce(await pings(3, 300));
    await oneConnectionPerShard();
  });

  it('a host SIGKILLed mid-traffic: its shards resume elsewhere, each !ping answered once', async () => {
    const before = await cluster.counters();
    const status = await cluster.status();
    const victim = cluster.hosts.find((h) => h.id === status.shards[0]!.owner)!;
    const traffic = pings(10, 500);
    await new Promise((r) => setTimeout(r, 1_200));
    victim.child.kill('SIGKILL');
    const sent = await traffic;
    await cluster.allReady(SHARDS, 30_000);
    await answeredOnce(sent);
    const c = await cluster.counters();
    expect(c.identifies - before.identifies).toBe(0);
    await oneConnectionPerShard();
  });

  it('a host restarted (SIGTERM, then started again) mid-traffic: each !ping answered once', async () => {
    const status = await cluster.status();
    const id = status.shards[1]!.owner!;
    const host = cluster.hosts.find((h) => h.id === id && h.child.exitCode === null)!;
    const traffic = pings(8, 500);
    await new Promise((r) => setTimeout(r, 1_000));
    await host.stop('SIGTERM');
    cluster.startHost(id);
    const sent = await traffic;
    await cluster.allReady(SHARDS, 30_000);
    await answeredOnce(sent);
    await oneConnectionPerShard();
  });

  for (const outageS of [20, 150]) {
    it(
      `the Worker stopped for ${outageS} s: hosts keep their sessions and spool, each !ping answered once after`,
      { timeout: (outageS + 200) * 1000 },
      async () => {
        const before = await cluster.counters();
        await cluster.stopWorker();
        const sent = await pings(Math.max(2, Math.floor(outageS / 10)), Math.min(10_000, (outageS * 1000) / 4));
        const left = outageS * 1000 - (sent.length / SHARDS - 1) * Math.min(10_000, (outageS * 1000) / 4);
        if (left > 0) await new Promise((r) => setTimeout(r, left));
        await cluster.restartWorker();
        await answeredOnce(sent, 150_000); // the backlog of the whole outage goes first, pongs obey rate limits
        const after = await cluster.allReady(SHARDS, 30_000);
        const c = await cluster.counters();
        // Nobody identified (the sessions outlived the outage on their connections), nothing moved.
        expect(c.identifies - before.identifies).toBe(0);
        expect(after.shards.every((s) => s.state === 'ready')).toBe(true);
        await oneConnectionPerShard();
      },
    );
  }
});
