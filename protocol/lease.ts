// The lease protocol between shard hosts and the ShardCoordinator DO, over one WebSocket per host that the
// host opens (hosts need no inbound port). Versioned with `v`; both sides import these types and parsers.
//
// host → coordinator: hello (announce, capacity, shards held), renew (every renewEveryMs, per-shard state and
// the last sequence the Worker acknowledged), released (after a revoke or at shutdown, with the final
// session), identify (ask for an identify slot), answered (that identify got READY or op 9, or its connection
// ended: the bucket's next identify may be scheduled), bye (leaving).
// coordinator → host: welcome (lease timing), renewed (the lease holds until sentAt + leaseTtlMs), assign,
// revoke, identify-grant / identify-wait, command (a gateway command for a shard), error.
import { EdgeshardError, ERROR_CODES } from './errors.ts';
import { gatewayUrlRefusal, PLATFORM_GATEWAY_HOSTS } from './gateway-url.ts';

export const LEASE_PROTOCOL_VERSION = 1;
/** Path of the WebSocket upgrade on the Worker. */
export const LEASE_CONNECT_PATH = '/coordinator/connect';
export const HOST_HEADER = 'x-edgeshard-host';
/** Host ids appear in logs, SQL rows and WebSocket tags: keep them plain. */
export const HOST_ID_PATTERN = /^[A-Za-z0-9._:-]{1,64}$/;

/** A fresh random value per connect, signed with it and remembered by the coordinator for the replay window. */
export const NONCE_HEADER = 'x-edgeshard-nonce';
export const NONCE_PATTERN = /^[A-Za-z0-9_-]{16,64}$/;

/**
 * The message signed (HMAC, protocol/signing.ts) to open the lease connection: binds the signature to the
 * host id and to a nonce, so a captured connect cannot be replayed within the timestamp window.
 */
export function connectSigningBody(hostId: string, nonce: string): string {
  return `connect:${hostId}:${nonce}`;
}

/** Enough to resume a shard's session on any host. `seq` is the last sequence the Worker acknowledged. */
export interface SessionInfo {
  sessionId: string;
  resumeUrl: string;
  seq: number;
}

export interface ShardReport {
  shard: number;
  epoch: number;
  /** The shard's state kind (idle, connecting, identifying, resuming, ready, disconnected, stopped, fatal). */
  state: string;
  session: SessionInfo | null;
  latencyMs: number | null;
  /** Guilds the shard serves; null when unknown (a resumed session sees no READY), so the coordinator keeps the count it has. */
  guilds: number | null;
  /** Milliseconds since the last dispatch, measured on the host (no clock comparison across machines). */
  lastEventAgeMs: number | null;
}

export interface GatewayLimits {
  maxConcurrency: number;
  /** session_start_limit from GET /gateway/bot when the host started. */
  sessionStartTotal: number;
  sessionStartRemaining: number;
  sessionStartResetAfterMs: number;
}

/** Any payload sent to a gateway (Identify, Resume, heartbeats, and the commands handlers send): one name everywhere. */
export interface GatewayCommand {
  op: number;
  d: unknown;
}

/** What a host reports about itself with each hello and renewal, for the status page and /status.json. */
export interface HostLoad {
  /** Events in the spool not yet acknowledged by the Worker. */
  spoolEvents: number;
  spoolBytes: number;
  /** Age of the oldest unacknowledged event, measured on the host; null when the spool is empty. */
  oldestUnackedAgeMs: number | null;
  /** Events dead-lettered on this host and not replayed yet. */
  deadLetters: number;
}

type V = { v: typeof LEASE_PROTOCOL_VERSION };

export type HostMessage = V &
  /** `answers`: this host reports identify answers, so the coordinator may wait for them (optional for older hosts). */
  (
    | {
        type: 'hello';
        id: number;
        capacity: number;
        shardCount: number;
        gateway: GatewayLimits;
        shards: ShardReport[];
        answers?: boolean;
        load?: HostLoad;
        /** EDGESHARD_SHARDS: the only shard ids this host may lease (absent: any). */
        allowedShards?: number[];
      }
    | { type: 'renew'; id: number; shards: ShardReport[]; load?: HostLoad }
    | { type: 'released'; shard: number; epoch: number; session: SessionInfo | null; reason: string }
    | { type: 'identify'; id: number; shard: number; epoch: number }
    | { type: 'answered'; shard: number; epoch: number }
    /** The host is shutting down: assign it nothing more (it releases what it holds, then says bye). */
    | { type: 'drain' }
    | { type: 'bye' }
  );

export type CoordinatorMessage = V &
  /** `answers`: the coordinator accepts `answered` messages (hosts send them only then). */
  (
    | { type: 'welcome'; leaseTtlMs: number; renewEveryMs: number; shardCount: number; answers?: boolean }
    | { type: 'renewed'; id: number }
    | { type: 'assign'; shard: number; epoch: number; shardCount: number; session: SessionInfo | null }
    | { type: 'revoke'; shard: number; epoch: number; reason: 'rebalance' | 'stale' }
    | { type: 'identify-grant'; id: number; shard: number; waitMs: number }
    | { type: 'identify-wait'; id: number; shard: number; retryAfterMs: number; reason: string }
    | { type: 'command'; shard: number; epoch: number; payload: GatewayCommand }
    | { type: 'error'; code: string; message: string }
  );

function fail(side: string, reason: string): never {
  throw new EdgeshardError(ERROR_CODES.LEASE_PROTOCOL, `malformed ${side} message: ${reason}`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const isInt = (v: unknown, min = 0): v is number => typeof v === 'number' && Number.isInteger(v) && v >= min;

/** On the coordinator: the gateway hosts of its platform, and the origins resume URLs may have besides them. */
interface GatewayTrust {
  origins: readonly (string | null)[];
  hosts: readonly string[];
}

function session(side: string, raw: unknown, at: string, trusted?: GatewayTrust): SessionInfo | null {
  if (raw === null) return null;
  if (!isRecord(raw)) fail(side, `${at} must be an object or null`);
  const { sessionId, resumeUrl, seq } = raw;
  if (typeof sessionId !== 'string' || sessionId === '') fail(side, `${at}.sessionId must be a non-empty string`);
  if (typeof resumeUrl !== 'string' || resumeUrl === '') fail(side, `${at}.resumeUrl must be a non-empty string`);
  if (!isInt(seq)) fail(side, `${at}.seq must be a non-negative integer`);
  // The next owner sends the bot token to this URL: only the platform's gateway hosts pass (gateway-url.ts).
  const refused = trusted && gatewayUrlRefusal(resumeUrl, trusted.origins, trusted.hosts);
  if (refused) fail(side, `${at}.resumeUrl refused: ${refused}`);
  return { sessionId, resumeUrl, seq };
}

function report(raw: unknown, i: number, trusted: GatewayTrust): ShardReport {
  const at = `shards[${i}]`;
  if (!isRecord(raw)) fail('host', `${at} must be an object`);
  const { shard, epoch, state, latencyMs, guilds, lastEventAgeMs } = raw;
  if (!isInt(shard)) fail('host', `${at}.shard must be a non-negative integer`);
  if (!isInt(epoch)) fail('host', `${at}.epoch must be a non-negative integer`);
  if (typeof state !== 'string') fail('host', `${at}.state must be a string`);
  if (latencyMs !== null && typeof latencyMs !== 'number') fail('host', `${at}.latencyMs must be a number or null`);
  if (guilds !== null && !isInt(guilds)) fail('host', `${at}.guilds must be a non-negative integer or null`);
  if (lastEventAgeMs !== null && typeof lastEventAgeMs !== 'number')
    fail('host', `${at}.lastEventAgeMs must be a number or null`);
  return {
    shard,
    epoch,
    state,
    session: session('host', raw.session ?? null, `${at}.session`, trusted),
    latencyMs,
    guilds,
    lastEventAgeMs,
  };
}

function reports(raw: unknown, trusted: GatewayTrust): ShardReport[] {
  if (!Array.isArray(raw)) fail('host', '"shards" must be an array');
  return raw.map((r, i) => report(r, i, trusted));
}

function limits(raw: unknown): GatewayLimits {
  if (!isRecord(raw)) fail('host', '"gateway" must be an object');
  const { maxConcurrency, sessionStartTotal, sessionStartRemaining, sessionStartResetAfterMs } = raw;
  if (!isInt(maxConcurrency, 1)) fail('host', 'gateway.maxConcurrency must be a positive integer');
  if (!isInt(sessionStartTotal)) fail('host', 'gateway.sessionStartTotal must be a non-negative integer');
  if (!isInt(sessionStartRemaining)) fail('host', 'gateway.sessionStartRemaining must be a non-negative integer');
  if (typeof sessionStartResetAfterMs !== 'number' || sessionStartResetAfterMs < 0)
    fail('host', 'gateway.sessionStartResetAfterMs must be a non-negative number');
  return { maxConcurrency, sessionStartTotal, sessionStartRemaining, sessionStartResetAfterMs };
}

function hostLoad(raw: unknown): HostLoad {
  if (!isRecord(raw)) fail('host', '"load" must be an object');
  const { spoolEvents, spoolBytes, oldestUnackedAgeMs, deadLetters } = raw;
  if (!isInt(spoolEvents) || !isInt(spoolBytes) || !isInt(deadLetters))
    fail('host', '"load" counts must be non-negative integers');
  if (oldestUnackedAgeMs !== null && !isInt(oldestUnackedAgeMs))
    fail('host', '"load.oldestUnackedAgeMs" must be a non-negative integer or null');
  return { spoolEvents, spoolBytes, oldestUnackedAgeMs, deadLetters };
}

function shardList(raw: unknown): number[] {
  if (!Array.isArray(raw) || raw.length === 0 || raw.length > 65_536 || !raw.every((s) => isInt(s)))
    fail('host', '"allowedShards" must be a non-empty array of shard ids');
  return raw as number[];
}

/**
 * Validates a decoded host message; throws LEASE_PROTOCOL naming the first bad field. A session's resumeUrl
 * must be wss:// on one of `gatewayHosts` (the coordinator passes its platform's) or on one of
 * `trustedGatewayOrigins` (the coordinator passes the origin of its platform's API URL, where an emulator
 * serves its gateway).
 */
export function parseHostMessage(
  input: unknown,
  trustedGatewayOrigins: readonly (string | null)[] = [],
  gatewayHosts: readonly string[] = PLATFORM_GATEWAY_HOSTS,
): HostMessage {
  const trusted: GatewayTrust = { origins: trustedGatewayOrigins, hosts: gatewayHosts };
  if (!isRecord(input)) fail('host', 'must be a JSON object');
  if (input.v !== LEASE_PROTOCOL_VERSION)
    fail(
      'host',
      `unsupported version ${JSON.stringify(input.v)}, expected ${LEASE_PROTOCOL_VERSION}: run the same edgeshard version on hosts and Worker`,
    );
  const v = LEASE_PROTOCOL_VERSION;
  switch (input.type) {
    case 'hello':
      if (!isInt(input.id)) fail('host', '"id" must be a non-negative integer');
      if (!isInt(input.capacity, 1)) fail('host', '"capacity" must be a positive integer');
      if (!isInt(input.shardCount, 1)) fail('host', '"shardCount" must be a positive integer');
      return {
        v,
        type: 'hello',
        id: input.id,
        capacity: input.capacity,
        shardCount: input.shardCount,
        gateway: limits(input.gateway),
        shards: reports(input.shards, trusted),
        ...(input.answers === true ? { answers: true } : {}),
        ...(input.load === undefined ? {} : { load: hostLoad(input.load) }),
        ...(input.allowedShards === undefined ? {} : { allowedShards: shardList(input.allowedShards) }),
      };
    case 'renew':
      if (!isInt(input.id)) fail('host', '"id" must be a non-negative integer');
      return {
        v,
        type: 'renew',
        id: input.id,
        shards: reports(input.shards, trusted),
        ...(input.load === undefined ? {} : { load: hostLoad(input.load) }),
      };
    case 'released':
      if (!isInt(input.shard) || !isInt(input.epoch)) fail('host', '"shard" and "epoch" must be non-negative integers');
      return {
        v,
        type: 'released',
        shard: input.shard,
        epoch: input.epoch,
        session: session('host', input.session ?? null, 'session', trusted),
        reason: typeof input.reason === 'string' ? input.reason : '',
      };
    case 'identify':
      if (!isInt(input.id) || !isInt(input.shard) || !isInt(input.epoch))
        fail('host', '"id", "shard" and "epoch" must be non-negative integers');
      return { v, type: 'identify', id: input.id, shard: input.shard, epoch: input.epoch };
    case 'answered':
      if (!isInt(input.shard) || !isInt(input.epoch)) fail('host', '"shard" and "epoch" must be non-negative integers');
      return { v, type: 'answered', shard: input.shard, epoch: input.epoch };
    case 'drain':
      return { v, type: 'drain' };
    case 'bye':
      return { v, type: 'bye' };
    default:
      fail('host', `unknown type ${JSON.stringify(input.type)}`);
  }
}

/** Validates a decoded coordinator message on the host. */
export function parseCoordinatorMessage(input: unknown): CoordinatorMessage {
  if (!isRecord(input)) fail('coordinator', 'must be a JSON object');
  if (input.v !== LEASE_PROTOCOL_VERSION)
    fail(
      'coordinator',
      `unsupported version ${JSON.stringify(input.v)}: run the same edgeshard version on hosts and Worker`,
    );
  const v = LEASE_PROTOCOL_VERSION;
  const ints = (...names: string[]) => {
    for (const n of names) if (!isInt(input[n])) fail('coordinator', `"${n}" must be a non-negative integer`);
  };
  switch (input.type) {
    case 'welcome':
      ints('leaseTtlMs', 'renewEveryMs', 'shardCount');
      return {
        v,
        type: 'welcome',
        leaseTtlMs: input.leaseTtlMs as number,
        renewEveryMs: input.renewEveryMs as number,
        shardCount: input.shardCount as number,
        ...(input.answers === true ? { answers: true } : {}),
      };
    case 'renewed':
      ints('id');
      return { v, type: 'renewed', id: input.id as number };
    case 'assign':
      ints('shard', 'epoch', 'shardCount');
      return {
        v,
        type: 'assign',
        shard: input.shard as number,
        epoch: input.epoch as number,
        shardCount: input.shardCount as number,
        session: session('coordinator', input.session ?? null, 'session'),
      };
    case 'revoke':
      ints('shard', 'epoch');
      if (input.reason !== 'rebalance' && input.reason !== 'stale')
        fail('coordinator', '"reason" must be rebalance or stale');
      return { v, type: 'revoke', shard: input.shard as number, epoch: input.epoch as number, reason: input.reason };
    case 'identify-grant':
      ints('id', 'shard', 'waitMs');
      return {
        v,
        type: 'identify-grant',
        id: input.id as number,
        shard: input.shard as number,
        waitMs: input.waitMs as number,
      };
    case 'identify-wait':
      ints('id', 'shard', 'retryAfterMs');
      return {
        v,
        type: 'identify-wait',
        id: input.id as number,
        shard: input.shard as number,
        retryAfterMs: input.retryAfterMs as number,
        reason: String(input.reason ?? ''),
      };
    case 'command': {
      ints('shard', 'epoch');
      const payload = input.payload;
      if (!isRecord(payload) || !isInt(payload.op)) fail('coordinator', '"payload" must be a gateway command {op, d}');
      return {
        v,
        type: 'command',
        shard: input.shard as number,
        epoch: input.epoch as number,
        payload: { op: payload.op, d: payload.d ?? null },
      };
    }
    case 'error':
      return { v, type: 'error', code: String(input.code ?? ''), message: String(input.message ?? '') };
    default:
      fail('coordinator', `unknown type ${JSON.stringify(input.type)}`);
  }
}
