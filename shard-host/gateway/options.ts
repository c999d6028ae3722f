// The shard's public inputs and outputs.
import type { EdgeshardError } from '../../protocol/errors.ts';
import type { Logger } from '../log.ts';
import type { Clock } from './clock.ts';
import type { Connect } from './connection.ts';
import type { IdentifyGate } from './identify-gate.ts';
import type { Compression } from './inflate.ts';
import type { SessionInfo } from './session.ts';
import type { Dialect } from './dialect.ts';
import type { Platform } from '../../protocol/index.ts';
import type { ShardStateKind } from './state.ts';

export interface DispatchRecord {
  shard: number;
  session: string;
  seq: number;
  type: string;
  data: unknown;
  receivedAt: number;
  /** Absent: discord. */
  platform?: Platform;
  /** The platform's own event id (QQ's dispatch `id`): the envelope's id becomes `qq:{eventId}`. */
  eventId?: string;
  /** The whole payload's JSON text as received (it was parsed into `data`): envelope.ts splices its `d`
   *  value into the spooled JSON instead of re-serialising `data`. Absent when the shard has no text. */
  payload?: string;
}

export interface ConnectGate {
  allowed(shard: number): boolean;
  /** Resolves once `allowed`; rejects with the signal's reason when aborted. */
  wait(shard: number, signal: AbortSignal): Promise<void>;
}

export interface ShardOptions {
  id: number;
  count: number;
  /** Discord's bot token, or a function returning the current credential (QQ's access token, refreshed). */
  token: string | (() => Promise<string>);
  intents: number;
  /** The platform's protocol tables; Discord when absent. */
  dialect?: Dialect;
  /** The gateway refused the credential (a close row with refreshToken): the next token() must be a new one. */
  onTokenRejected?(): void;
  /** Base gateway URL (from GET /gateway/bot); `?v=10&encoding=json[&compress=…]` is appended. */
  gatewayUrl: string;
  compress: Compression;
  identifyGate: IdentifyGate;
  /** Asked before every connection, resumes included: this host opens none without a confirmed lease.
   *  Absent: always allowed (tests of the shard alone). */
  connectGate?: ConnectGate;
  logger: Logger;
  /** Every op 0 with a seq, READY and RESUMED included, in order, each seq once per session. A throw
   *  closes the connection and resumes, so the event is replayed (at-least-once). */
  onDispatch(record: DispatchRecord): void;
  onStateChange?(from: ShardStateKind, to: ShardStateKind, reason: string): void;
  onFatal?(error: EdgeshardError): void;
  /** A session started (READY; seq 0) or ended (null: invalidated, fatal, stopped for good). The seq the
   *  shard holds later is what it RECEIVED; the host persists what the Worker acknowledged (sessions/). */
  onSession?(session: SessionInfo | null): void;
  /** Resume this session at start instead of identifying. */
  session?: SessionInfo;
  largeThreshold?: number;
  presence?: unknown;
  /** Reconnect backoff (full jitter); defaults 1 s base, 60 s cap. */
  backoff?: { baseMs: number; maxMs: number };
  /** No Hello within this long after connecting → reconnect. Default 30 s. */
  helloTimeoutMs?: number;
  /** Seams for tests: time, randomness, the socket. Defaults: system clock, Math.random, `ws`. */
  clock?: Clock;
  random?: () => number;
  connect?: Connect;
}

export interface ShardStats {
  latencyMs: number | null;
  /** Connections opened after the first. */
  reconnects: number;
  /** Resume payloads sent. */
  resumes: number;
  /** Identify payloads sent. */
  identifies: number;
  /** Dispatches handed to onDispatch. */
  eventsReceived: number;
  /** Bytes received on the wire (compressed size). */
  bytesIn: number;
}
