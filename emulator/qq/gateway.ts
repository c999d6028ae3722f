// The QQ websocket gateway (QQ 机器人文档 api-v2, 开发准备 > 事件订阅与通知 > WebSocket 方式) at /qq/websocket:
// Hello, Identify with `QQBot {access_token}`, intents and [shard, count], READY, heartbeats and ACKs,
// Resume with replay and RESUMED, op 7, op 9, QQ's close codes. Identify is spaced per max_concurrency
// bucket (one per 5 s) and counted against session_start_limit. Access tokens are checked at Identify and
// Resume only: an open session outlives the token it started with, as on QQ.
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import WebSocket, { WebSocketServer } from 'ws';
import { QQ_INTENTS, QQ_OPCODES, type QQGatewayBot } from '../../protocol/qq.ts';
import { QQ_EVENT_INTENTS } from '../../protocol/qq-events.ts';
import { QQGatewaySession, type QQSentFrame } from './gateway-session.ts';
import type { QQState } from './state.ts';

export const QQ_GATEWAY_PATH = '/qq/websocket';
const ALL_INTENTS = Object.values(QQ_INTENTS).reduce((bits, row) => bits | row.bit, 0);

export interface QQGatewayOptions {
  heartbeatIntervalMs: number;
  /** Recommended shard count in /gateway/bot. */
  shards: number;
  maxConcurrency: number;
  identifyWindowMs: number;
  sessionStartTotal: number;
  /** How long a session stays resumable after its connection closed. */
  sessionTimeoutMs: number;
  resumeBufferSize: number;
  /** Intents this bot may not subscribe to (close 4014). */
  disallowedIntents: number;
}

export interface QQGatewayCounters {
  connectionsOpened: number;
  identifies: number;
  resumes: number;
  /** Resumes refused with op 9 (unknown or expired session, events no longer buffered). */
  resumesRefused: number;
  identifyViolations: number;
  dispatched: number;
  closesByCode: Record<string, number>;
  sessionStartRemaining: number;
}

interface Conn {
  ws: WebSocket;
  session: QQGatewaySession | null;
}

export class QQGateway {
  readonly counters: QQGatewayCounters;
  readonly #state: QQState;
  readonly #o: QQGatewayOptions;
  readonly #wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: 1024 * 1024 });
  readonly #conns = new Set<Conn>();
  readonly #sessions = new Map<string, QQGatewaySession>();
  readonly #lastIdentify = new Map<number, number>();
  #url = '';

  constructor(state: QQState, options: QQGatewayOptions) {
    this.#state = state;
    this.#o = options;
    this.counters = {
      connectionsOpened: 0,
      identifies: 0,
      resumes: 0,
      resumesRefused: 0,
      identifyViolations: 0,
      dispatched: 0,
      closesByCode: {},
      sessionStartRemaining: options.sessionStartTotal,
    };
  }

  attach(server: Server, baseUrl: string): void {
    this.#url = `${baseUrl.replace(/^http/, 'ws')}${QQ_GATEWAY_PATH}`;
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      const path = new URL(req.url ?? '/', 'http://emulator').pathname.replace(/\/$/, '');
      if (path !== QQ_GATEWAY_PATH) return;
      this.#wss.handleUpgrade(req, socket, head, (ws) => this.#accept(ws));
    });
  }

  /** GET /gateway/bot's answer. */
  gatewayBot(): QQGatewayBot {
    return {
      url: this.#url,
      shards: this.#o.shards,
      session_start_limit: {
        total: this.#o.sessionStartTotal,
        remaining: this.counters.sessionStartRemaining,
        reset_after: 86_400_000,
        max_concurrency: this.#o.maxConcurrency,
      },
    };
  }

  /** Live (connected) sessions. */
  live(): QQGatewaySession[] {
    return [...this.#conns].flatMap((c) => (c.session ? [c.session] : []));
  }

  /**
   * Sends an event to the session whose shard owns `routeKey` (a guild id or group/user openid; QQ hashes
   * guild ids, `(guild_id >> 22) % num_shards`, the emulator hashes any key) and subscribed to its intent.
   * Sessions without a connection buffer it for their Resume. Returns whether a session took it.
   */
  publish(t: string, d: unknown, eventId: string, routeKey: string): boolean {
    const intent = (QQ_EVENT_INTENTS as Record<string, number | undefined>)[t];
    let took = false;
    for (const session of this.#sessions.values()) {
      if (this.#expired(session)) continue;
      const [id, count] = session.shard;
      if (hash(routeKey) % count !== id) continue;
      if (intent !== undefined && (session.intents & intent) === 0) continue;
      const frame = session.frame(t, d, eventId);
      this.counters.dispatched++;
      const conn = this.#connOf(session);
      if (conn) send(conn.ws, frame);
      took = true;
    }
    return took;
  }

  /** Control: what a shard's connection experiences. */
  control(shard: number) {
    const conns = () => [...this.#conns].filter((c) => c.session?.shard[0] === shard);
    return {
      drop: () => conns().forEach((c) => c.ws.terminate()),
      close: (code: number, reason = '') => conns().forEach((c) => this.#close(c, code, reason)),
      reconnect: () => conns().forEach((c) => send(c.ws, { op: QQ_OPCODES.RECONNECT })),
      invalidSession: () =>
        conns().forEach((c) => {
          if (c.session) this.#sessions.delete(c.session.id);
          c.session = null;
          send(c.ws, { op: QQ_OPCODES.INVALID_SESSION, d: false });
        }),
      connected: () => conns().length,
    };
  }

  /**
   * Benchmarks: `count` GROUP_AT_MESSAGE_CREATEs of about `bytes` to every live session, as fast as each
   * socket takes them (waiting while more than 1 MiB is buffered). Resolves when all are written.
   */
  async blast(count: number, bytes = 1024): Promise<number> {
    const padding = 'x'.repeat(Math.max(0, bytes - 300));
    const sessions = [...this.#conns].filter((c) => c.session);
    let sent = 0;
    await Promise.all(
      sessions.map(async (conn) => {
        const session = conn.session!;
        for (let i = 0; i < count; i++) {
          while (conn.ws.bufferedAmount > 1024 * 1024) await new Promise((r) => setTimeout(r, 1));
          if (conn.ws.readyState !== WebSocket.OPEN) return;
          const id = `ROBOT1.0_blast${i}`;
          const d = {
            id,
            author: { member_openid: 'BLAST' },
            content: ` ${padding}`,
            timestamp: '2026-01-01T00:00:00+08:00',
            group_openid: 'BLAST',
          };
          send(conn.ws, session.frame('GROUP_AT_MESSAGE_CREATE', d, `GROUP_AT_MESSAGE_CREATE:blast-${session.seq}`));
          this.counters.dispatched++;
          sent++;
          if (i % 256 === 255) await new Promise((r) => setImmediate(r));
        }
      }),
    );
    return sent;
  }

  close(): void {
    for (const c of this.#conns) c.ws.terminate();
    this.#wss.close();
  }

  #accept(ws: WebSocket): void {
    this.counters.connectionsOpened++;
    const conn: Conn = { ws, session: null };
    this.#conns.add(conn);
    ws.on('close', () => {
      this.#conns.delete(conn);
      if (conn.session && !this.#connOf(conn.session)) conn.session.detachedAt = Date.now();
    });
    ws.on('error', () => {});
    ws.on('message', (raw) => this.#onMessage(conn, raw.toString()));
    send(ws, { op: QQ_OPCODES.HELLO, d: { heartbeat_interval: this.#o.heartbeatIntervalMs } });
  }

  #onMessage(conn: Conn, text: string): void {
    let p: { op?: unknown; d?: unknown };
    try {
      p = JSON.parse(text) as typeof p;
    } catch {
      return this.#close(conn, 4002, 'invalid payload');
    }
    switch (p.op) {
      case QQ_OPCODES.HEARTBEAT:
        return send(conn.ws, { op: QQ_OPCODES.HEARTBEAT_ACK });
      case QQ_OPCODES.IDENTIFY:
        return this.#identify(conn, p.d);
      case QQ_OPCODES.RESUME:
        return this.#resume(conn, p.d);
      default:
        return this.#close(conn, 4001, `invalid opcode ${String(p.op)}`);
    }
  }

  #token(conn: Conn, token: unknown): boolean {
    const m = typeof token === 'string' ? /^QQBot (.+)$/.exec(token) : null;
    if (m?.[1] && this.#state.tokenValid(m[1])) return true;
    this.#close(conn, 4004, 'invalid or expired access token');
    return false;
  }

  #identify(conn: Conn, d: unknown): void {
    const v = (d ?? {}) as { token?: unknown; intents?: unknown; shard?: unknown };
    if (!this.#token(conn, v.token)) return;
    if (conn.session) return this.#close(conn, 4005, 'already authenticated');
    const shard = v.shard;
    if (
      !Array.isArray(shard) ||
      shard.length !== 2 ||
      !shard.every((n) => Number.isInteger(n) && n >= 0) ||
      shard[0] >= shard[1]
    )
      return this.#close(conn, 4010, 'invalid shard');
    const intents = v.intents;
    if (typeof intents !== 'number' || !Number.isInteger(intents) || intents < 0 || (intents & ~ALL_INTENTS) !== 0)
      return this.#close(conn, 4013, 'invalid intent');
    if ((intents & this.#o.disallowedIntents) !== 0) return this.#close(conn, 4014, 'intent not authorized');
    const [id, count] = shard as [number, number];
    const bucket = id % this.#o.maxConcurrency;
    const now = Date.now();
    const last = this.#lastIdentify.get(bucket);
    if (this.counters.sessionStartRemaining <= 0 || (last !== undefined && now - last < this.#o.identifyWindowMs)) {
      if (this.counters.sessionStartRemaining > 0) this.counters.identifyViolations++;
      return send(conn.ws, { op: QQ_OPCODES.INVALID_SESSION, d: false });
    }
    this.#lastIdentify.set(bucket, now);
    this.counters.sessionStartRemaining--;
    this.counters.identifies++;
    // A new session replaces the shard's previous one.
    for (const s of this.#sessions.values()) if (s.shard[0] === id && s.shard[1] === count) this.#sessions.delete(s.id);
    const session = new QQGatewaySession([id, count], intents, 10_000);
    this.#sessions.set(session.id, session);
    conn.session = session;
    send(
      conn.ws,
      session.frame('READY', {
        version: 1,
        session_id: session.id,
        user: { id: `bot-${this.#state.appId}`, username: 'edgeshard emulator bot', bot: true },
        shard: [id, count],
      }),
    );
  }

  #resume(conn: Conn, d: unknown): void {
    const v = (d ?? {}) as { token?: unknown; session_id?: unknown; seq?: unknown };
    if (!this.#token(conn, v.token)) return;
    const session = typeof v.session_id === 'string' ? this.#sessions.get(v.session_id) : undefined;
    if (!session || this.#expired(session) || typeof v.seq !== 'number') {
      this.counters.resumesRefused++;
      return send(conn.ws, { op: QQ_OPCODES.INVALID_SESSION, d: false });
    }
    if (v.seq > session.seq) return this.#close(conn, 4007, 'invalid seq');
    const missed = session.after(v.seq);
    if (!missed) {
      this.counters.resumesRefused++;
      return send(conn.ws, { op: QQ_OPCODES.INVALID_SESSION, d: false });
    }
    // One connection per session: a resume takes the session over from any connection still open.
    for (const other of this.#conns) if (other !== conn && other.session === session) other.session = null;
    conn.session = session;
    session.detachedAt = null;
    this.counters.resumes++;
    for (const f of missed) send(conn.ws, f);
    send(conn.ws, session.frame('RESUMED', ''));
  }

  #expired(session: QQGatewaySession): boolean {
    if (session.detachedAt === null || Date.now() - session.detachedAt <= this.#o.sessionTimeoutMs) return false;
    this.#sessions.delete(session.id);
    return true;
  }

  #connOf(session: QQGatewaySession): Conn | undefined {
    for (const c of this.#conns) if (c.session === session) return c;
    return undefined;
  }

  #close(conn: Conn, code: number, reason: string): void {
    this.counters.closesByCode[code] = (this.counters.closesByCode[code] ?? 0) + 1;
    if (conn.ws.readyState === WebSocket.OPEN) conn.ws.close(code, reason);
  }
}

function send(ws: WebSocket, payload: QQSentFrame | { op: number; d?: unknown }): void {
  if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(payload));
}

/** FNV-1a: a stable shard for any key. */
function hash(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}
