// What a shard does after the gateway closes its socket, as data: one row per close code.
// Source: Discord docs, Topics > Opcodes and Status Codes > Gateway Close Event Codes ("Reconnect" column).
// 'resume' keeps the session; 'reidentify' drops it and starts a new one; 'fatal' stops the shard.
// Keys are the codes themselves; discord-api-types checks them (type only: its module costs RSS at run time).
import type { GatewayCloseCodes } from 'discord-api-types/gateway/v10';

export type CloseAction = 'resume' | 'reidentify' | 'fatal';

export interface CloseCodeRow {
  action: CloseAction;
  meaning: string;
  /** What the operator should change; present on every fatal row. */
  fix?: string;
  /** The credential was refused (QQ access tokens expire): fetch a new one before reconnecting. */
  refreshToken?: true;
}

/** Normal closures (RFC 6455): Discord ends the session when it closes with 1000/1001. */
export type SessionEndCode = 1000 | 1001;

const INTENTS_FIX =
  'enable the intents in the Discord Developer Portal > your application > Bot > Privileged Gateway Intents, ' +
  'or remove them from EDGESHARD_INTENTS';

/** Exhaustive over GatewayCloseCodes: adding a code to discord-api-types fails the type check here. */
export const CLOSE_CODES = {
  4000: { action: 'resume', meaning: 'unknown error' },
  4001: { action: 'resume', meaning: 'unknown opcode sent' },
  4002: { action: 'resume', meaning: 'invalid payload sent (decode error)' },
  4003: { action: 'resume', meaning: 'payload sent before identifying' },
  4004: {
    action: 'fatal',
    meaning: 'authentication failed: the token is invalid',
    fix: 'check DISCORD_TOKEN (Developer Portal > your application > Bot > Reset Token)',
  },
  4005: { action: 'resume', meaning: 'identify sent more than once' },
  4007: { action: 'reidentify', meaning: 'invalid sequence sent when resuming' },
  4008: { action: 'resume', meaning: 'payloads sent too quickly (rate limited)' },
  4009: { action: 'reidentify', meaning: 'session timed out' },
  4010: {
    action: 'fatal',
    meaning: 'invalid shard sent when identifying',
    fix: 'check the shard id and shard count (id must be below count; use the count from GET /gateway/bot)',
  },
  4011: {
    action: 'fatal',
    meaning: 'sharding required: the session would handle too many guilds',
    fix: 'run more shards (use the recommended shard count from GET /gateway/bot)',
  },
  4012: {
    action: 'fatal',
    meaning: 'invalid gateway API version',
    fix: 'connect with ?v=10 (check the gateway URL)',
  },
  4013: {
    action: 'fatal',
    meaning: 'invalid intents: the bitfield is not valid',
    fix: 'check EDGESHARD_INTENTS (a number or intent names)',
  },
  4014: {
    action: 'fatal',
    meaning: 'disallowed intents: a privileged intent is not enabled for this bot',
    fix: INTENTS_FIX,
  },
  1000: { action: 'reidentify', meaning: 'normal closure: the session has ended' },
  1001: { action: 'reidentify', meaning: 'going away: the session has ended' },
} as const satisfies Record<GatewayCloseCodes | SessionEndCode, CloseCodeRow>;

/** Codes not in the table (1006 abnormal closure, proxies, our own 4900): try to resume. */
export const UNKNOWN_CLOSE_CODE: CloseCodeRow = { action: 'resume', meaning: 'unknown close code' };

export function closeCodeRow(code: number): CloseCodeRow {
  return Object.hasOwn(CLOSE_CODES, code) ? (CLOSE_CODES as Record<number, CloseCodeRow>)[code]! : UNKNOWN_CLOSE_CODE;
}
