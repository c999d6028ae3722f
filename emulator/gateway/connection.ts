// One gateway WebSocket: Hello, heartbeats, payload validation and the per-connection send limit. Identify,
// Resume and dispatch routing belong to the hub (ConnectionHost); this file only knows one socket.
import { GatewayCloseCodes, GatewayOpcodes } from 'discord-api-types/v10';
import type WebSocket from 'ws';
import type { RawData } from 'ws';
import type { EmulatorCounters } from '../counters.ts';
import { bump } from '../counters.ts';
import { CLOSE_REASONS } from './close-codes.ts';
import { ACCEPTED_COMMANDS } from './commands.ts';
import { createEncoder, type FrameEncoder } from './encoder.ts';
import type { FrameSink, Session } from './session.ts';

export interface ConnectionHost {
  readonly counters: EmulatorCounters;
  readonly heartbeatIntervalMs: number;
  identify(conn: Connection, d: unknown): void;
  resume(conn: Connection, d: unknown): void;
  /** A send event other than Identify/Resume/Heartbeat, from an authenticated connection (commands.ts). */
  command(conn: Connection, op: number, d: unknown): void;
  closed(conn: Connection, code: number, initiator: 'client' | 'server'): void;
}

// Discord docs, Topics > Gateway > Rate Limiting: 120 gateway events per connection per 60 seconds.
const SEND_LIMIT = 120;
const SEND_WINDOW_MS = 60_000;
// Discord docs, Topics > Opcodes and Status Codes: payloads over 4096 bytes are a decode error (4002).
const MAX_PAYLOAD_BYTES = 4096;

export class Connection implements FrameSink {
  readonly ws: WebSocket;
  readonly #host: ConnectionHost;
  readonly #encoder: FrameEncoder;
  /** The session this connection is serving, if it identified or resumed and was not invalidated since. */
  session: Session<Connection> | undefined;
  /** The shard this connection was counted under in openConnections (set once it identified or resumed). */
  countedShard: number | undefined;
  /** `id/count` of the session it was counted for (counters by generation). */
  countedGeneration: string | undefined;
  acksEnabled = true;
  #sendWindowStart = 0;
  #sendCount = 0;
  #heartbeatTimer: ReturnType<typeof setTimeout> | undefined;
  #initiator: 'client' | 'server' = 'client';
  #sentCode: number | undefined;
  #closing = false;

  constructor(ws: WebSocket, compress: boolean, host: ConnectionHost) {
    this.ws = ws;
    this.#host = host;
    this.#encoder = createEncoder(ws, compress);
    ws.on('message', (data, isBinary) => this.#onMessage(data, isBinary));
    ws.on('close', (code) => this.#onClose(code));
    ws.on('error', () => {});
  }

  get open(): boolean {
    return !this.#closing;
  }

  start(): void {
    this.sendOp(GatewayOpcodes.Hello, { heartbeat_interval: this.#host.heartbeatIntervalMs });
    this.#armHeartbeatTimeout();
  }

  sendFrame(frame: string): void {
    if (!this.#closing) this.#encoder.send(frame);
  }

  /** zlib-stream deflate level from now on (blast mode); ignored without compression. */
  setCompressionLevel(level: number): void {
    this.#encoder.setLevel?.(level);
  }

  sendOp(op: number, d: unknown): void {
    this.sendFrame(JSON.stringify({ op, d, s: null, t: null }));
  }

  /** Close with a code; frames queued before it are sent first. */
  close(code: number, reason = CLOSE_REASONS[code] ?? ''): void {
    if (this.#closing) return;
    this.#closing = true;
    this.#initiator = 'server';
    this.#sentCode = code;
    bump(this.#host.counters.closesByCode, code);
    this.#encoder.afterQueued(() => this.ws.close(code, reason));
  }

  /** Vanish without a close frame, like a network failure. */
  drop(): void {
    this.#closing = true;
    this.#initiator = 'server';
    this.ws.terminate();
  }

  #onMessage(data: RawData, _isBinary: boolean): void {
    if (this.#closing) return;
    if (!this.#withinSendLimit()) return this.close(GatewayCloseCodes.RateLimited);
    const raw = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
    if (raw.length > MAX_PAYLOAD_BYTES) return this.close(GatewayCloseCodes.DecodeError, 'Payload too large.');
    let payload: unknown;
    try {
      payload = JSON.parse(raw.toString('utf8'));
    } catch {
      return this.close(GatewayCloseCodes.DecodeError);
    }
    if (typeof payload !== 'object' || payload === null || typeof (payload as { op?: unknown }).op !== 'number') {
      return this.close(GatewayCloseCodes.DecodeError);
    }
    const { op, d } = payload as { op: number; d?: unknown };
    switch (op) {
      case GatewayOpcodes.Heartbeat:
        return this.#onHeartbeat();
      case GatewayOpcodes.Identify:
        return this.#host.identify(this, d);
      case GatewayOpcodes.Resume:
        return this.#host.resume(this, d);
      default:
        if (!ACCEPTED_COMMANDS.has(op)) return this.close(GatewayCloseCodes.UnknownOpcode);
        if (!this.session) return this.close(GatewayCloseCodes.NotAuthenticated);
        return this.#host.command(this, op, d);
    }
  }

  #onHeartbeat(): void {
    this.#host.counters.heartbeats++;
    this.#armHeartbeatTimeout();
    if (!this.acksEnabled) return;
    this.sendOp(GatewayOpcodes.HeartbeatAck, null);
    this.#host.counters.heartbeatAcks++;
  }

  // Lenient on purpose: Discord closes a silent connection after about one interval plus jitter; the emulator
  // waits twice the interval (at least interval + 5 s) so a busy test machine does not trip it.
  #armHeartbeatTimeout(): void {
    clearTimeout(this.#heartbeatTimer);
    const interval = this.#host.heartbeatIntervalMs;
    this.#heartbeatTimer = setTimeout(
      () => this.close(GatewayCloseCodes.SessionTimedOut),
      Math.max(interval * 2, interval + 5000),
    );
    this.#heartbeatTimer.unref();
  }

  #withinSendLimit(now = Date.now()): boolean {
    if (now - this.#sendWindowStart >= SEND_WINDOW_MS) {
      this.#sendWindowStart = now;
      this.#sendCount = 0;
    }
    return ++this.#sendCount <= SEND_LIMIT;
  }

  #onClose(code: number): void {
    this.#closing = true;
    clearTimeout(this.#heartbeatTimer);
    this.#encoder.dispose();
    // For closes we started, the code that matters is the one we sent (1006 for a drop), not the echo.
    const effective = this.#initiator === 'server' ? (this.#sentCode ?? 1006) : code;
    this.#host.closed(this, effective, this.#initiator);
  }
}
