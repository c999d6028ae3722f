// Gateway commands in the emulator: every op 3/4/8 is recorded per shard and session (counters and
// GET /_emulator/gateway-commands), and op 8 is answered with GUILD_MEMBERS_CHUNK dispatches as Discord documents
// them (Events > Gateway Events > Request Guild Members, Guild Members Chunk).
import { GatewayIntentBits } from 'discord-api-types/v10';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestGuildMembers } from '../../../emulator/gateway/members.ts';
import { shardForGuild, startEmulator, type Emulator } from '../../../emulator/index.ts';
import { buildWorld, WorldIndex } from '../../../emulator/world.ts';
import { event, identify, waitFor, type Payload, type TestClient } from './client.ts';

const MEMBERS = GatewayIntentBits.Guilds | GatewayIntentBits.GuildMembers | GatewayIntentBits.GuildPresences;
const PLAIN = GatewayIntentBits.Guilds;

describe('requestGuildMembers (pure)', () => {
  const index = new WorldIndex(buildWorld({ seed: 3, guilds: 1, channelsPerGuild: 1, users: 1500 }));
  const guild = index.world.guilds[0]!;
  const id = guild.id;
  const chunks = (d: unknown, intents = MEMBERS) => {
    const out = requestGuildMembers(d, intents, guild, index);
    if (out.kind !== 'chunks') throw new Error(`expected chunks, got ${out.kind}: ${out.reason}`);
    return out.chunks as {
      members: { user: { id: string; username: string } }[];
      chunk_index: number;
      chunk_count: number;
      nonce?: string;
      not_found?: string[];
      presences?: unknown[];
    }[];
  };

  it('sends the entire list in chunks of up to 1000 members, indexed, with the nonce on each', () => {
    const out = chunks({ guild_id: id, query: '', limit: 0, nonce: 'all' });
    expect(out.map((c) => [c.chunk_index, c.chunk_count, c.members.length, c.nonce])).toEqual([
      [0, 2, 1000, 'all'],
      [1, 2, 501, 'all'],
    ]);
  });

  it('caps a prefix query at 100 members and at limit', () => {
    const all = chunks({ guild_id: id, query: '', limit: 0 })[0]!.members.concat(
      chunks({ guild_id: id, query: '', limit: 0 })[1]!.members,
    );
    const prefix = all[5]!.user.username.slice(0, 1).toUpperCase();
    const capped = chunks({ guild_id: id, query: prefix, limit: 0 }, PLAIN)[0]!;
    expect(capped.members.length).toBe(100);
    expect(capped.members.every((m) => m.user.username.toLowerCase().startsWith(prefix.toLowerCase()))).toBe(true);
    expect(chunks({ guild_id: id, query: prefix, limit: 7 }, PLAIN)[0]!.members.length).toBe(7);
    expect(chunks({ guild_id: id, query: '', limit: 3 })[0]!.members.length).toBe(3);
  });

  it('returns user_ids it finds and lists the others in not_found', () => {
    const known = index.world.users[42]!.id;
    const out = chunks({ guild_id: id, user_ids: [known, '1234'] }, PLAIN)[0]!;
    expect(out.members.map((m) => m.user.id)).toEqual([known]);
    expect(out.not_found).toEqual(['1234']);
    expect(chunks({ guild_id: id, user_ids: known }, PLAIN)[0]!.members.map((m) => m.user.id)).toEqual([known]);
  });

  it('drops an invalid nonce, and gives presences only with GUILD_PRESENCES', () => {
    expect(chunks({ guild_id: id, user_ids: ['1'], nonce: 'x'.repeat(33) }, PLAIN)[0]).not.toHaveProperty('nonce');
    expect(chunks({ guild_id: id, user_ids: ['1'], nonce: 'x'.repeat(32) }, PLAIN)[0]!.nonce).toBe('x'.repeat(32));
    expect(chunks({ guild_id: id, user_ids: ['1'], presences: true }, PLAIN)[0]).not.toHaveProperty('presences');
    expect(chunks({ guild_id: id, user_ids: ['1'], presences: true })[0]!.presences).toEqual([]);
  });

  const rows: [string, unknown, number, string, 'none'?][] = [
    ['no guild_id', { query: '', limit: 0 }, MEMBERS, 'invalid'],
    ['neither query nor user_ids', { guild_id: id }, MEMBERS, 'invalid'],
    ['both query and user_ids', { guild_id: id, query: '', limit: 0, user_ids: ['1'] }, MEMBERS, 'invalid'],
    ['query without limit', { guild_id: id, query: 'a' }, MEMBERS, 'invalid'],
    ['user_ids not snowflakes', { guild_id: id, user_ids: ['abc'] }, MEMBERS, 'invalid'],
    ['the entire list without GUILD_MEMBERS', { guild_id: id, query: '', limit: 0 }, PLAIN, 'ignored'],
    ['a guild this shard does not serve', { guild_id: id, query: 'a', limit: 1 }, MEMBERS, 'ignored', 'none'],
  ];
  it.each(rows)('%s → %s', (_name, d, intents, kind, noGuild) => {
    expect(requestGuildMembers(d, intents, noGuild ? undefined : guild, index).kind).toBe(kind);
  });
});

describe('gateway commands over real sockets', () => {
  let emu: Emulator;
  let a: TestClient;
  let b: TestClient;
  let sessionA: string;
  const guildOn = (shard: number) => emu.world.guilds.find((g) => shardForGuild(g.id, 2) === shard)!.id;
  const chunkWith = (nonce: string) => (p: Payload) => event('GUILD_MEMBERS_CHUNK')(p) && p.d.nonce === nonce;

  beforeAll(async () => {
    emu = await startEmulator({ shards: 2, guilds: 4, users: 6, identifyWindowMs: 1 });
    const first = await identify(emu.gatewayUrl, emu.token, [0, 2], MEMBERS);
    a = first.client;
    sessionA = first.ready.d.session_id as string;
    b = (await identify(emu.gatewayUrl, emu.token, [1, 2], PLAIN)).client;
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await emu?.close();
  });

  it('records presence and voice state per shard and session, and counts them', async () => {
    a.send(3, { since: null, activities: [{ name: 'tests', type: 0 }], status: 'online', afk: false });
    b.send(4, { guild_id: guildOn(1), channel_id: null, self_mute: false, self_deaf: false });
    await waitFor(() => emu.counters().commands === 2);
    const c = emu.counters();
    expect(c.commandsByShard).toEqual({ 0: 1, 1: 1 });
    expect(c.commandsByOp).toEqual({ 3: 1, 4: 1 });
    expect(emu.commands({ shard: 0 })).toEqual([
      expect.objectContaining({
        shard: 0,
        session: sessionA,
        op: 3,
        outcome: 'recorded',
        d: expect.objectContaining({ status: 'online' }),
      }),
    ]);
    expect(emu.commands({ op: 4 }).map((r) => r.shard)).toEqual([1]);
  });

  it('answers op 8 with GUILD_MEMBERS_CHUNK on the requesting session, through the replay buffer', async () => {
    const guild = guildOn(0);
    a.send(8, { guild_id: guild, query: '', limit: 0, nonce: 'everyone' });
    const chunk = await a.next(chunkWith('everyone'));
    expect(chunk.d).toMatchObject({ guild_id: guild, chunk_index: 0, chunk_count: 1 });
    expect(chunk.d.members).toHaveLength(7); // six users and the bot
    expect(chunk.s).toBeGreaterThan(0);
    expect(emu.dispatched('GUILD_MEMBERS_CHUNK')).toEqual([
      expect.objectContaining({ shard: 0, session: sessionA, id: guild, delivered: true }),
    ]);
    expect(emu.commands({ op: 8 })).toEqual([expect.objectContaining({ shard: 0, outcome: 'answered', chunks: 1 })]);
  });

  it('never answers the entire list without GUILD_MEMBERS (as Discord), but answers a prefix query', async () => {
    const guild = guildOn(1);
    b.send(8, { guild_id: guild, query: '', limit: 0, nonce: 'denied' });
    const name = emu.world.users[2]!.username;
    b.send(8, { guild_id: guild, query: name.slice(0, name.length - 1), limit: 5, nonce: 'prefix' });
    const chunk = await b.next(chunkWith('prefix'));
    expect(chunk.d.members.map((m: { user: { username: string } }) => m.user.username)).toContain(name);
    expect(b.payloads.some(chunkWith('denied'))).toBe(false);
    expect(
      emu.commands({ shard: 1, op: 8 }).map((r) => [r.outcome, r.reason?.includes('GUILD_MEMBERS') ?? false]),
    ).toEqual([
      ['ignored', true],
      ['answered', false],
    ]);
  });

  it('ignores a guild of another shard, and the control API filters the record', async () => {
    a.send(8, { guild_id: guildOn(1), user_ids: [emu.world.users[0]!.id], nonce: 'elsewhere' });
    await waitFor(() => emu.commands({ shard: 0, op: 8 }).length === 2);
    expect(emu.commands({ shard: 0, op: 8 })[1]).toMatchObject({
      outcome: 'ignored',
      reason: expect.stringContaining('not served by this shard'),
    });
    const res = await fetch(`${emu.url}/_emulator/gateway-commands?shard=0&op=8`);
    expect(((await res.json()) as unknown[]).length).toBe(2);
    const bad = await fetch(`${emu.url}/_emulator/gateway-commands?shard=x`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toContain('shard must be a non-negative integer');
  });

  it('closes with 4002 on a malformed op 8', async () => {
    a.send(8, { guild_id: guildOn(0) });
    expect((await a.closed).code).toBe(4002);
  });
});
