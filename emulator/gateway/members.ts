// Request Guild Members (op 8) → GUILD_MEMBERS_CHUNK dispatches, as Discord documents them (Discord docs,
// Events > Gateway Events > Request Guild Members, Guild Members Chunk). Pure: takes the request, the
// session's intents and the guild, returns what to do; the hub dispatches the chunks.
import { GatewayIntentBits } from 'discord-api-types/v10';
import { apiUser } from '../messages.ts';
import type { WorldGuild, WorldIndex, WorldUser } from '../world.ts';
import { JOINED_AT } from './ready.ts';

/** "up to 1000 members per chunk until all members that match the request have been sent". */
export const CHUNK_SIZE = 1000;
/** "Requesting a prefix (query) will return a maximum of 100 members"; same for user_ids. */
export const QUERY_MAX = 100;
/** "Nonce can only be up to 32 bytes. If you send an invalid nonce it will be ignored". */
export const NONCE_MAX_BYTES = 32;

export type MembersOutcome =
  /** The payload breaks the documented structure: close 4002 (Opcodes and Status Codes: "Decode error"). */
  | { kind: 'invalid'; reason: string }
  /** Discord sends nothing back (no error, no close), e.g. the whole list without GUILD_MEMBERS. */
  | { kind: 'ignored'; reason: string }
  | { kind: 'chunks'; guildId: string; chunks: Record<string, unknown>[] };

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isSnowflake = (v: unknown): v is string => typeof v === 'string' && /^\d{1,20}$/.test(v);

function member(user: WorldUser) {
  return { user: apiUser(user), roles: [], joined_at: JOINED_AT, deaf: false, mute: false, flags: 0 };
}

/**
 * What Discord answers to one op 8 on a session with `intents`, for a guild this session serves
 * (`guild` undefined when it does not: Discord answers only for guilds on the requesting shard).
 */
export function requestGuildMembers(
  d: unknown,
  intents: number,
  guild: WorldGuild | undefined,
  index: WorldIndex,
): MembersOutcome {
  if (!isRecord(d) || !isSnowflake(d.guild_id)) return { kind: 'invalid', reason: 'guild_id must be a snowflake' };
  const hasQuery = d.query !== undefined;
  const hasIds = d.user_ids !== undefined;
  if (hasQuery === hasIds) return { kind: 'invalid', reason: 'exactly one of query or user_ids is required' };
  if (
    hasQuery &&
    (typeof d.query !== 'string' || typeof d.limit !== 'number' || !Number.isInteger(d.limit) || d.limit < 0)
  ) {
    return { kind: 'invalid', reason: 'query must be a string and limit a non-negative integer' };
  }
  const ids = hasIds ? (Array.isArray(d.user_ids) ? d.user_ids : [d.user_ids]) : [];
  if (!ids.every(isSnowflake))
    return { kind: 'invalid', reason: 'user_ids must be a snowflake or an array of snowflakes' };
  if (!guild) return { kind: 'ignored', reason: `guild ${d.guild_id} is not served by this shard` };
  // "GUILD_MEMBERS intent is required to request the entire member list—(query='', limit=0<=n)". Discord
  // neither closes nor errors then: it just never answers (libraries wait forever, e.g. discordrb #51).
  if (hasQuery && d.query === '' && (intents & GatewayIntentBits.GuildMembers) === 0) {
    return { kind: 'ignored', reason: 'the entire member list (query "") needs the GUILD_MEMBERS intent' };
  }
  const users = [index.world.bot, ...guild.member_ids.map((id) => index.user(id)).filter((u) => u !== undefined)];
  let found: WorldUser[];
  let notFound: string[] | undefined;
  if (hasIds) {
    const wanted = (ids as string[]).slice(0, QUERY_MAX);
    const byId = new Map(users.map((u) => [u.id, u]));
    found = wanted.map((id) => byId.get(id)).filter((u) => u !== undefined);
    notFound = wanted.filter((id) => !byId.has(id));
  } else {
    const query = (d.query as string).toLowerCase();
    const limit = d.limit as number;
    const matching = users.filter((u) => u.username.toLowerCase().startsWith(query));
    // limit 0 means "all" only for the entire list; a prefix is capped at 100 whatever the limit.
    const cap = query === '' ? (limit === 0 ? Infinity : limit) : Math.min(limit === 0 ? QUERY_MAX : limit, QUERY_MAX);
    found = matching.slice(0, cap);
  }
  const nonce = typeof d.nonce === 'string' && Buffer.byteLength(d.nonce) <= NONCE_MAX_BYTES ? d.nonce : undefined;
  // GUILD_PRESENCES is required for presences; "Otherwise, it will always be false". Nobody in the emulated
  // world is online, so the presence list is empty.
  const presences = d.presences === true && (intents & GatewayIntentBits.GuildPresences) !== 0;
  const count = Math.max(1, Math.ceil(found.length / CHUNK_SIZE));
  const chunks: Record<string, unknown>[] = [];
  for (let i = 0; i < count; i++) {
    chunks.push({
      guild_id: guild.id,
      members: found.slice(i * CHUNK_SIZE, (i + 1) * CHUNK_SIZE).map(member),
      chunk_index: i,
      chunk_count: count,
      ...(i === 0 && notFound && notFound.length > 0 ? { not_found: notFound } : {}),
      ...(presences ? { presences: [] } : {}),
      ...(nonce !== undefined ? { nonce } : {}),
    });
  }
  return { kind: 'chunks', guildId: guild.id, chunks };
}
