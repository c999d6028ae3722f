// Gateway commands across real processes: a handler in the Worker sends a command for a guild; it travels
// through the ShardCoordinator DO to the host holding the lease of the guild's shard, and reaches the
// emulator on exactly that shard. Op 8's GUILD_MEMBERS_CHUNK comes back through the normal event path.
// Two hosts of capacity 1 over three shards, so one shard stays unowned: commands for it fail not_available.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shardForGuild } from '../../emulator/snowflake.ts';
import type { World } from '../../emulator/world.ts';
import { waitFor } from '../../scripts/lib/proc.ts';
import { startCluster, type Cluster, type HostProc } from './coordinator-system.ts';

const SHARDS = 3;

interface CommandRecord {
  shard: number;
  session: string;
  op: number;
  d: Record<string, unknown>;
  outcome: string;
}

interface Report {
  eventId: string;
  messageId: string;
  shard: number;
  outcome?: string;
  guildId?: string;
  members?: string[];
}

/** Info lines "gateway command sent" a host logged, as {shard, op}. */
function sentBy(host: HostProc): { shard: number; op: number }[] {
  return host.lines.flatMap((line) => {
    try {
      const l = JSON.parse(line) as { msg?: string; shard?: number; op?: number };
      return l.msg === 'gateway command sent' ? [{ shard: l.shard!, op: l.op! }] : [];
    } catch {
      return [];
    }
  });
}

describe('coordinator: gateway commands from handlers reach the owning shard', () => {
  let cluster: Cluster;
  let world: World;
  const owners = new Map<number, string>();
  const guildOn = (shard: number) => world.guilds.find((g) => shardForGuild(g.id, SHARDS) === shard)!;
  const host = (id: string) => cluster.hosts.find((h) => h.id === id)!;
  const say = (channelId: string, content: string) =>
    cluster.emu<{ id: string }>('/_emulator/say', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ channel_id: channelId, content }),
    });
  const reported = (messageId: string) =>
    waitFor(
      `the handler to report ${messageId}`,
      () => (cluster.ledger.entries as unknown as Report[]).find((e) => e.messageId === messageId),
      { timeoutMs: 30_000, intervalMs: 100 },
    );
  const commands = (query: string) => cluster.emu<CommandRecord[]>(`/_emulator/gateway-commands?${query}`);

  beforeAll(async () => {
    cluster = await startCluster(['--shards', String(SHARDS), '--guilds', '6', '--identify-window-ms', '300'], {
      EDGESHARD_IDENTIFY_WINDOW_MS: '500',
    });
    world = await cluster.emu<World>('/_emulator/world');
    cluster.startHost('host-a', { EDGESHARD_CAPACITY: '1' });
    cluster.startHost('host-b', { EDGESHARD_CAPACITY: '1' });
    const status = await waitFor(
      'two shards READY on two hosts, the third unowned',
      async () => {
        const s = await cluster.status();
        const ready = s.shards.filter((sh) => sh.state === 'ready' && sh.owner !== null);
        return ready.length === 2 && new Set(ready.map((sh) => sh.owner)).size === 2 && s.shards.length === SHARDS
          ? s
          : undefined;
      },
      { timeoutMs: 80_000, intervalMs: 200 },
    );
    for (const s of status.shards) if (s.owner) owners.set(s.shard, s.owner);
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  it('!whois: op 8 reaches only the owning shard from its lease holder, and the chunk comes back to a handler', async () => {
    const [shard, owner] = [...owners][0]!;
    const other = [...owners.values()].find((h) => h !== owner)!;
    const guild = guildOn(shard);
    const channel = guild.channels[0]!.id;
    const name = world.users[5]!.username;
    await say(channel, `!whois ${name}`);

    const chunk = await reported(`chunk:whois:${channel}`);
    expect(chunk.shard).toBe(shard);
    expect(chunk.guildId).toBe(guild.id);
    expect(chunk.members).toContain(name);

    const op8 = await commands('op=8');
    expect(op8).toEqual([
      expect.objectContaining({
        shard,
        op: 8,
        outcome: 'answered',
        d: expect.objectContaining({ guild_id: guild.id, query: name, nonce: `whois:${channel}` }),
      }),
    ]);
    expect(sentBy(host(owner))).toContainEqual({ shard, op: 8 });
    expect(sentBy(host(other)).filter((c) => c.op === 8)).toEqual([]);
    const c = await cluster.counters();
    for (const s of owners.keys()) expect(c.maxConcurrentConnections[String(s)], `shard ${s}`).toBe(1); // so that connection is the owner's

    // The example handler answers in the channel the nonce named, through the REST proxy.
    await waitFor(
      'the !whois reply',
      async () => {
        const sent = await cluster.emu<{ channel_id: string; content: string }[]>('/_emulator/messages');
        return sent.find(
          (m) => m.channel_id === channel && m.content.startsWith('Members:') && m.content.includes(name),
        );
      },
      { timeoutMs: 30_000, intervalMs: 200 },
    );
  });

  it('routes by the guild in the command, not by the shard the handler runs for; presence arrives once', async () => {
    const [from, to] = [...owners.keys()];
    const target = guildOn(to!);
    const presence = {
      op: 3,
      d: { since: null, activities: [{ name: 'edgeshard e2e', type: 0 }], status: 'idle', afk: false },
    };
    const said = await say(guildOn(from!).channels[0]!.id, `e2e:gateway ${target.id} ${JSON.stringify(presence)}`);
    expect((await reported(`gateway:${said.id}`)).outcome).toBe('sent');
    const received = await waitFor(
      'the presence update at the emulator',
      async () => {
        const r = await commands('op=3');
        return r.length > 0 ? r : undefined;
      },
      { timeoutMs: 15_000 },
    );
    expect(received).toEqual([expect.objectContaining({ shard: to, op: 3, d: presence.d })]);
    expect(sentBy(host(owners.get(to!)!))).toContainEqual({ shard: to, op: 3 });
    expect(sentBy(host(owners.get(from!)!)).filter((c) => c.op === 3)).toEqual([]);
  });

  it('fails with not_available for a guild whose shard no host runs', async () => {
    const unowned = [0, 1, 2].find((s) => !owners.has(s))!;
    const from = [...owners.keys()][0]!;
    const command = { op: 3, d: { since: null, activities: [], status: 'online', afk: false } };
    const said = await say(
      guildOn(from).channels[0]!.id,
      `e2e:gateway ${guildOn(unowned).id} ${JSON.stringify(command)}`,
    );
    expect((await reported(`gateway:${said.id}`)).outcome).toBe('not_available');
    expect(await commands(`shard=${unowned}`)).toEqual([]);
  });
});
