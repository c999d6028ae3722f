// The session file's format, versioned, and its validation. Every field is checked: a file edited by hand
// or cut short must not make a shard resume with garbage.
import type { StoredSession } from './types.ts';

export const SESSION_FILE_VERSION = 1;

/** `bot`: the fingerprint of the token the sessions belong to (absent in files written before it existed). */
export type ParsedSessionFile =
  { ok: true; bot: string | null; sessions: Map<number, StoredSession> } | { ok: false; reason: string };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function parseSessionFile(text: string): ParsedSessionFile {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return { ok: false, reason: `not JSON: ${(err as Error).message}` };
  }
  if (!isRecord(raw) || raw.v !== SESSION_FILE_VERSION)
    return { ok: false, reason: `expected {"v":${SESSION_FILE_VERSION},"sessions":{…}}` };
  if (!isRecord(raw.sessions)) return { ok: false, reason: '"sessions" must be an object keyed by shard id' };
  if (raw.bot !== undefined && typeof raw.bot !== 'string') return { ok: false, reason: '"bot" must be a string' };
  const sessions = new Map<number, StoredSession>();
  for (const [key, s] of Object.entries(raw.sessions)) {
    const shard = Number(key);
    if (!Number.isInteger(shard) || shard < 0)
      return { ok: false, reason: `shard id "${key}" is not a non-negative integer` };
    if (!isRecord(s)) return { ok: false, reason: `sessions.${key} must be an object` };
    const { sessionId, resumeUrl, seq, shardCount, updatedAt } = s;
    if (typeof sessionId !== 'string' || sessionId === '')
      return { ok: false, reason: `sessions.${key}.sessionId must be a non-empty string` };
    if (typeof resumeUrl !== 'string' || !/^wss?:\/\//.test(resumeUrl))
      return { ok: false, reason: `sessions.${key}.resumeUrl must be a ws(s) URL` };
    if (typeof seq !== 'number' || !Number.isInteger(seq) || seq < 0)
      return { ok: false, reason: `sessions.${key}.seq must be a non-negative integer` };
    if (typeof shardCount !== 'number' || !Number.isInteger(shardCount) || shardCount < 1)
      return { ok: false, reason: `sessions.${key}.shardCount must be a positive integer` };
    if (typeof updatedAt !== 'number') return { ok: false, reason: `sessions.${key}.updatedAt must be a number` };
    sessions.set(shard, { sessionId, resumeUrl, seq, shardCount, updatedAt });
  }
  return { ok: true, bot: raw.bot ?? null, sessions };
}
