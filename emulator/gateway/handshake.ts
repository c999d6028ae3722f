// Validation of Identify and Resume payloads (Discord docs, Topics > Gateway Events > Identify, Resume; close
// codes from Topics > Opcodes and Status Codes). Pure: returns the parsed payload or the close code to send.
import { GatewayCloseCodes } from 'discord-api-types/v10';
import { checkIntents } from './intents.ts';

export interface IdentifyRequest {
  shardId: number;
  shardCount: number;
  intents: number;
  largeThreshold: number;
}

export interface ResumeRequest {
  sessionId: string;
  seq: unknown;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; code: number };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function parseIdentify(
  d: unknown,
  token: string,
  privilegedEnabled: number,
  privileged: number,
): Parsed<IdentifyRequest> {
  if (!isObject(d)) return { ok: false, code: GatewayCloseCodes.DecodeError };
  if (d.token !== token && d.token !== `Bot ${token}`)
    return { ok: false, code: GatewayCloseCodes.AuthenticationFailed };
  const shard = d.shard ?? [0, 1];
  if (!Array.isArray(shard) || shard.length !== 2 || !shard.every((n) => Number.isInteger(n))) {
    return { ok: false, code: GatewayCloseCodes.InvalidShard };
  }
  const [shardId, shardCount] = shard as [number, number];
  if (shardCount < 1 || shardId < 0 || shardId >= shardCount)
    return { ok: false, code: GatewayCloseCodes.InvalidShard };
  const intents = checkIntents(d.intents, privilegedEnabled, privileged);
  if (!intents.ok) return { ok: false, code: intents.code };
  // large_threshold: 50 to 250, default 50.
  const lt = d.large_threshold;
  const largeThreshold = typeof lt === 'number' && Number.isInteger(lt) ? Math.min(250, Math.max(50, lt)) : 50;
  return { ok: true, value: { shardId, shardCount, intents: d.intents as number, largeThreshold } };
}

export function parseResume(d: unknown, token: string): Parsed<ResumeRequest> {
  if (!isObject(d) || typeof d.session_id !== 'string') return { ok: false, code: GatewayCloseCodes.DecodeError };
  if (d.token !== token && d.token !== `Bot ${token}`)
    return { ok: false, code: GatewayCloseCodes.AuthenticationFailed };
  return { ok: true, value: { sessionId: d.session_id, seq: d.seq } };
}
