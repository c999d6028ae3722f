// The event batch: what a shard host POSTs to the Worker's /events, and what the Worker answers.
// Versioned with `v`; both sides import these types and the parser below.

import { EdgeshardError, ERROR_CODES } from './errors.ts';

export const PROTOCOL_VERSION = 1;
/** Most events one batch may carry (the host's EDGESHARD_BATCH_MAX_EVENTS may not exceed it). */
export const MAX_BATCH_EVENTS = 1000;

export type Platform = 'discord' | 'qq';

/** One gateway dispatch as the host received it. */
export interface EventEnvelope {
  /** Stable id, `discord:{shard}:{session}:{seq}` for gateway events, so handlers can be idempotent. */
  id: string;
  platform: Platform;
  shard: number;
  session: string;
  seq: number;
  /** Dispatch name, e.g. MESSAGE_CREATE. */
  type: string;
  data: unknown;
  /** Unix ms at which the host read the event off the socket. */
  receivedAt: number;
}

export interface EventBatch {
  v: typeof PROTOCOL_VERSION;
  host: string;
  /** Lease epoch of the sending host for this shard (0 while no coordinator assigns epochs). */
  epoch: number;
  events: EventEnvelope[];
  /** An operator's re-delivery of dead letters (`shard-host dead-letters --replay`): not fenced by the lease
   *  epoch (the shard may have moved since), still run once by the delivery ledger. */
  replay?: boolean;
}

/** Per-event outcome: the host drops `ack`ed events from its spool and retries `retry` ones. */
export type EventOutcome = 'ack' | 'retry' | 'dead-letter';

export interface EventResult {
  id: string;
  outcome: EventOutcome;
  error?: string;
}

export interface BatchResponse {
  v: typeof PROTOCOL_VERSION;
  results: EventResult[];
}

export function eventId(platform: Platform, shard: number, session: string, seq: number): string {
  return `${platform}:${shard}:${session}:${seq}`;
}

function fail(reason: string): never {
  throw new EdgeshardError(ERROR_CODES.MALFORMED_BATCH, `malformed event batch: ${reason}`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Validates a decoded JSON body; throws MALFORMED_BATCH naming the first bad field. */
export function parseEventBatch(input: unknown): EventBatch {
  if (!isRecord(input)) fail('body must be a JSON object');
  if (input.v !== PROTOCOL_VERSION)
    fail(`unsupported version ${JSON.stringify(input.v)}, expected ${PROTOCOL_VERSION}`);
  if (typeof input.host !== 'string' || input.host === '') fail('"host" must be a non-empty string');
  if (typeof input.epoch !== 'number' || !Number.isSafeInteger(input.epoch) || input.epoch < 0)
    fail('"epoch" must be a non-negative integer');
  if (!Array.isArray(input.events)) fail('"events" must be an array');
  if (input.events.length > MAX_BATCH_EVENTS)
    fail(
      `${input.events.length} events in one batch, at most ${MAX_BATCH_EVENTS}: lower EDGESHARD_BATCH_MAX_EVENTS on the host`,
    );
  const events = input.events.map((raw, i): EventEnvelope => {
    if (!isRecord(raw)) fail(`events[${i}] must be an object`);
    const { id, platform, shard, session, seq, type, receivedAt } = raw;
    if (typeof id !== 'string' || id === '') fail(`events[${i}].id must be a non-empty string`);
    if (platform !== 'discord' && platform !== 'qq') fail(`events[${i}].platform must be "discord" or "qq"`);
    if (typeof shard !== 'number' || !Number.isSafeInteger(shard) || shard < 0)
      fail(`events[${i}].shard must be a non-negative integer`);
    if (typeof session !== 'string') fail(`events[${i}].session must be a string`);
    if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0)
      fail(`events[${i}].seq must be a non-negative integer`);
    if (typeof type !== 'string' || type === '') fail(`events[${i}].type must be a non-empty string`);
    if (typeof receivedAt !== 'number' || !Number.isFinite(receivedAt))
      fail(`events[${i}].receivedAt must be a number`);
    if (!('data' in raw)) fail(`events[${i}].data is missing`);
    return { id, platform, shard, session, seq, type, data: raw.data, receivedAt };
  });
  if (input.replay !== undefined && typeof input.replay !== 'boolean') fail('"replay" must be a boolean when present');
  return input.replay === true
    ? { v: PROTOCOL_VERSION, host: input.host, epoch: input.epoch, events, replay: true }
    : { v: PROTOCOL_VERSION, host: input.host, epoch: input.epoch, events };
}
