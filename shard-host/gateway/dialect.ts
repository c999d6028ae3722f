// What differs between the platforms a shard speaks to, as data and small pure functions. The state
// machine (shard.ts) and the sans-IO core (protocol.ts) are shared; a dialect (dialects/discord.ts,
// dialects/qq.ts) supplies the opcode numbers, the close-code table, how READY names the session, the
// payloads the shard sends, and the URL it connects to.
import type { GatewayCommand, Platform, SessionInfo } from '../../protocol/index.ts';
import type { CloseCodeRow } from './close-codes.ts';
import type { Compression } from './inflate.ts';

/** The opcodes the shared core understands. Discord and QQ use the same numbers; the table says so per row. */
export interface OpcodeTable {
  dispatch: number;
  heartbeat: number;
  identify: number;
  resume: number;
  reconnect: number;
  invalidSession: number;
  hello: number;
  heartbeatAck: number;
}

export interface IdentifyInput {
  /** The credential as the gateway expects it (`Bot …` is the caller's business for Discord, `QQBot …` for QQ). */
  token: string;
  intents: number;
  shard: [id: number, count: number];
  largeThreshold: number;
  presence?: unknown;
}

export interface ReadySession {
  sessionId: string;
  /** Where to resume; null: the platform names none (QQ), resume through the gateway URL. */
  resumeUrl: string | null;
}

export interface Dialect {
  readonly platform: Platform;
  /** For log lines and error messages: "Discord", "QQ". */
  readonly name: string;
  readonly opcodes: OpcodeTable;
  closeCodeRow(code: number): CloseCodeRow;
  /** The session READY's `d` starts, or null when READY lacks what the platform documents. */
  readySession(d: unknown): ReadySession | null;
  /** The platform's own id of a dispatch (QQ's top-level `id`), or undefined when it has none (Discord). */
  eventId(payload: { id?: unknown }): string | undefined;
  /** The URL to open for `base` (gateway or resume URL). */
  url(base: string, compress: Compression): string;
  identify(input: IdentifyInput): GatewayCommand;
  resume(token: string, session: SessionInfo): GatewayCommand;
  heartbeat(seq: number | null): GatewayCommand;
}
