// The event batch: what a shard host POSTs to the Worker's /events, and what the Worker answers.
// Versioned with `v`; both sides import these types and the parser below.
//
// Version 2 packs several shards' events into one signed request, each shard fenced by its own lease
// epoch (`epochs`), so a host with many quiet shards sends one request per linger, not one per shard.
// Version 1 (one shard, one `epoch`) is refused with BATCH_VERSION (503: the sender keeps its events).

import { EdgeshardError, ERROR_CODES } from './errors.ts';

export const PROTOCOL_VERSION = 2;
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

/** Lease epoch per shard, keyed by the shard number in decimal (a JSON object's keys are strings). */
export type ShardEpochs = Record<string, number>;

export interface EventBatch {
  v: typeof PROTOCOL_VERSION;
  host: string;
  /** The sending host's lease epoch of every shard the batch carries events of (0 for a dead-letter replay). */
  epochs: ShardEpochs;
  events: EventEnvelope[];
  /** An operator's re-delivery of dead letters (`shard-host dead-letters --replay`): not fenced by the lease
   *  epoch (the shard may have moved since), still run once by the delivery ledger. */
  replay?: boolean;
}

/** Per-event outcome: the host drops `ack`ed events from its spool and retries `retry` ones; `fenced`: the
 *  event's shard has a newer lease epoch (another host owns it and gets the event by the platform's replay),
 *  so this host drops it without a dead letter. */
export type EventOutcome = 'ack' | 'retry' | 'dead-letter' | 'fenced';

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

/** The epoch of `shard` in a batch; parseEventBatch guarantees every event's shard has one. */
export function epochOf(batch: Pick<EventBatch, 'epochs'>, shard: number): number {
  return batch.epochs[String(shard)]!;
}

function fail(reason: string): never {
  throw new EdgeshardError(ERROR_CODES.MALFORMED_BATCH, `malformed event batch: ${reason}`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const isCount = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;

/** Thrown for a batch of another version: names both versions and the fix. */
export function batchVersionError(got: number): EdgeshardError {
  const older = got < PROTOCOL_VERSION;
  return new EdgeshardError(
    ERROR_CODES.BATCH_VERSION,
    `event batch version ${JSON.stringify(got)}, this Worker speaks version ${PROTOCOL_VERSION}: ` +
      (older
        ? 'the shard host is older than the Worker; upgrade it (git pull, restart shard-host): it keeps its events spooled until then'
        : 'the Worker is older than the shard host; deploy it (wrangler deploy) from the same edgeshard version'),
  );
}

function parseEpochs(raw: unknown): ShardEpochs {
  if (!isRecord(raw)) fail('"epochs" must be an object of shard number → lease epoch');
  const epochs: ShardEpochs = {};
  for (const [key, epoch] of Object.entries(raw)) {
    if (!/^(0|[1-9][0-9]*)$/.test(key) || !Number.isSafeInteger(Number(key)))
      fail(`"epochs" key ${JSON.stringify(key)} must be a shard number`);
    if (!isCount(epoch)) fail(`"epochs"["${key}"] must be a non-negative integer`);
    epochs[key] = epoch;
  }
  return epochs;
}

/** Validates one event envelope (a batch's, or a queue message); throws MALFORMED_BATCH naming the first
 *  bad field, prefixed with `where`. */
export function parseEventEnvelope(raw: unknown, where = 'event'): EventEnvelope {
  if (!isRecord(raw)) fail(`${where} must be an object`);
  const { id, platform, shard, session, seq, type, receivedAt } = raw;
  if (typeof id !== 'string' || id === '') fail(`${where}.id must be a non-empty string`);
  if (platform !== 'discord' && platform !== 'qq') fail(`${where}.platform must be "discord" or "qq"`);
  if (!isCount(shard)) fail(`${where}.shard must be a non-negative integer`);
  if (typeof session !== 'string') fail(`${where}.session must be a string`);
  if (!isCount(seq)) fail(`${where}.seq must be a non-negative integer`);
  if (typeof type !== 'string' || type === '') fail(`${where}.type must be a non-empty string`);
  if (typeof receivedAt !== 'number' || !Number.isFinite(receivedAt)) fail(`${where}.receivedAt must be a number`);
  if (!('data' in raw)) fail(`${where}.data is missing`);
  return { id, platform, shard, session, seq, type, data: raw.data, receivedAt };
}

/** Validates a decoded JSON body; throws MALFORMED_BATCH naming the first bad field (BATCH_VERSION for
 *  another version). */
export function parseEventBatch(input: unknown): EventBatch {
  if (!isRecord(input)) fail('body must be a JSON object');
  if (typeof input.v !== 'number') fail(`"v" must be the batch version (${PROTOCOL_VERSION})`);
  if (input.v !== PROTOCOL_VERSION) throw batchVersionError(input.v);
  if (typeof input.host !== 'string' || input.host === '') fail('"host" must be a non-empty string');
  const epochs = parseEpochs(input.epochs);
  if (!Array.isArray(input.events)) fail('"events" must be an array');
  if (input.events.length > MAX_BATCH_EVENTS)
    fail(
      `${input.events.length} events in one batch, at most ${MAX_BATCH_EVENTS}: lower EDGESHARD_BATCH_MAX_EVENTS on the host`,
    );
  const events = input.events.map((raw, i): EventEnvelope => {
    const event = parseEventEnvelope(raw, `events[${i}]`);
    if (!(String(event.shard) in epochs)) fail(`events[${i}].shard ${event.shard} has no entry in "epochs"`);
    return event;
  });
  if (input.replay !== undefined && typeof input.replay !== 'boolean') fail('"replay" must be a boolean when present');
  return input.replay === true
    ? { v: PROTOCOL_VERSION, host: input.host, epochs, events, replay: true }
    : { v: PROTOCOL_VERSION, host: input.host, epochs, events };
}
