// One gateway shard: the state machine that applies protocol.ts's actions to a connection.
// State changes only in #transition; every socket exit goes through #disconnect.
import { EdgeshardError } from '../../protocol/errors.ts';
import { assertTrustedGatewayUrl, originOf } from '../../protocol/gateway-url.ts';
import type { Logger } from '../log.ts';
import { systemClock, type Clock, type Timer } from './clock.ts';
import { connectWebSocket, type Transport } from './connection.ts';
import { Heartbeat } from './heartbeat.ts';
import { retryAfterOf } from './identify-gate.ts';
import type { DispatchRecord, ShardOptions, ShardStats } from './options.ts';
import type { GatewayCommand } from '../../protocol/index.ts';
import type { Dialect } from './dialect.ts';
import { discordDialect } from './dialects/discord.ts';
import { handle, handleClose, RESUMABLE_CLOSE_CODE, type Action } from './protocol.ts';
import { reconnectDelay, type After } from './reconnect.ts';
import { assertPayloadSize, SendLimiter, type SendPriority } from './send-limiter.ts';
import type { SessionInfo } from './session.ts';
import type { Initiator, ShardState } from './state.ts';
import { Waiters } from './waiters.ts';

const RESUME_NOW: After = { kind: 'reconnect', next: 'resume', delayMs: 0 };
const RESUME_URL_ATTEMPTS = 3;

interface Connection {
  transport: Transport;
  /** Aborted when this connection ends: cancels its identify wait and queued sends. */
  abort: AbortController;
  helloTimer: Timer | null;
}

export class Shard {
  readonly id: number;
  readonly #o: ShardOptions;
  readonly #log: Logger;
  readonly #clock: Clock;
  readonly #random: () => number;
  readonly #heartbeat: Heartbeat;
  readonly #limiter: SendLimiter;
  readonly #dialect: Dialect;
  #state: ShardState = { kind: 'idle' };
  #session: SessionInfo | null;
  #conn: Connection | null = null;
  #attempt = 0;
  #connections = 0;
  #reconnectTimer: Timer | null = null;
  /** Aborts the wait for the connect gate (stop). */
  #gateWait: AbortController | null = null;
  #paused = false;
  readonly #waiters = new Waiters();
  readonly #stats = { reconnects: 0, resumes: 0, identifies: 0, eventsReceived: 0, bytesIn: 0 };

  constructor(options: ShardOptions) {
    this.id = options.id;
    this.#o = options;
    this.#log = options.logger.child({ shard: options.id });
    this.#clock = options.clock ?? systemClock;
    this.#random = options.random ?? Math.random;
    this.#session = options.session ? { ...options.session } : null;
    this.#dialect = options.dialect ?? discordDialect;
    this.#limiter = new SendLimiter({ clock: this.#clock });
    this.#heartbeat = new Heartbeat({
      clock: this.#clock,
      random: this.#random,
      beat: () => this.#sendNow(this.#dialect.heartbeat(this.#session?.seq ?? null), 'system'),
      onZombie: () =>
        this.#disconnect('client-zombie', RESUMABLE_CLOSE_CODE, 'no heartbeat ACK since the last beat', RESUME_NOW),
    });
  }

  get state(): ShardState {
    return this.#state;
  }

  session(): SessionInfo | null {
    return this.#session ? { ...this.#session } : null;
  }

  stats(): ShardStats {
    return { latencyMs: this.#heartbeat.latencyMs, ...this.#stats };
  }

  start(): void {
    if (this.#state.kind !== 'idle' && this.#state.kind !== 'stopped') return;
    this.#attempt = 0;
    this.#openWhenAllowed();
  }

  /** Resolves on the next READY or RESUMED; rejects when the shard stops or fails, or `signal` aborts. */
  ready(signal?: AbortSignal): Promise<void> {
    if (this.#state.kind === 'fatal') return Promise.reject(this.#state.error);
    return this.#waiters.wait(signal);
  }

  /** A user command (presence, member request): rate-limited, waits for a ready connection. */
  async send(payload: GatewayCommand): Promise<void> {
    const json = JSON.stringify(payload);
    assertPayloadSize(json);
    for (;;) {
      const kind = this.#state.kind;
      if (kind === 'fatal' || kind === 'stopped' || kind === 'idle') {
        throw new EdgeshardError('not_available', `shard ${this.id} is ${kind}; cannot send op ${payload.op}`);
      }
      if (kind !== 'ready' || !this.#conn) {
        await this.ready();
        continue;
      }
      const conn = this.#conn;
      try {
        await this.#limiter.acquire('command', conn.abort.signal);
      } catch {
        continue; // that connection ended while we waited; wait for the next one
      }
      if (this.#conn === conn) return conn.transport.send(json);
    }
  }

  async stop(options: { resumable?: boolean } = {}): Promise<void> {
    const resumable = options.resumable ?? true;
    if (this.#state.kind === 'fatal' || this.#state.kind === 'stopped') return;
    this.#reconnectTimer?.cancel();
    this.#reconnectTimer = null;
    this.#gateWait?.abort(new EdgeshardError('not_available', `shard ${this.id} stopped`));
    this.#gateWait = null;
    const code = resumable ? RESUMABLE_CLOSE_CODE : 1000;
    await this.#disconnect('client-stop', code, 'stop requested', { kind: 'stop', resumable });
  }

  /** Backpressure: stop reading the socket; heartbeats go on without a zombie verdict (heartbeat.ts). */
  pauseReading(): void {
    this.#paused = true;
    this.#heartbeat.setReadingPaused(true);
    this.#conn?.transport.pause();
  }

  resumeReading(): void {
    this.#paused = false;
    this.#heartbeat.setReadingPaused(false);
    this.#conn?.transport.resume();
  }

  #transition(to: ShardState, reason: string): void {
    const from = this.#state.kind;
    this.#state = to;
    this.#log.info(`${from} → ${to.kind} (${reason})`, { from, to: to.kind, reason });
    this.#o.onStateChange?.(from, to.kind, reason);
  }

  /** Every connection, the first and each reconnect, waits for the connect gate (a confirmed lease). */
  #openWhenAllowed(): void {
    const gate = this.#o.connectGate;
    if (!gate || gate.allowed(this.id)) return this.#open();
    const wait = new AbortController();
    this.#gateWait = wait;
    this.#transition({ kind: 'awaiting-lease' }, 'the lease is not confirmed: no new connection');
    gate.wait(this.id, wait.signal).then(
      () => {
        if (this.#gateWait !== wait) return;
        this.#gateWait = null;
        this.#open();
      },
      () => {}, // stopped meanwhile
    );
  }

  #open(): void {
    if (this.#connections++ > 0) this.#stats.reconnects++;
    const resume = this.#session !== null;
    // A resume URL that refused RESUME_URL_ATTEMPTS connections in a row (a stale session file, a gateway
    // node gone) is given up for the main gateway URL: the session is kept, so a network blip costs no
    // identify, and a session that is gone there is answered with op 9 and re-identified.
    const viaGateway = resume && this.#attempt >= RESUME_URL_ATTEMPTS;
    const base = resume && !viaGateway ? this.#trustedResumeUrl(this.#session!.resumeUrl) : this.#o.gatewayUrl;
    const url = this.#dialect.url(base, this.#o.compress);
    this.#limiter.reset();
    this.#transition({ kind: 'connecting', attempt: this.#attempt, resume }, resume ? 'resume' : 'new session');
    const conn: Connection = {
      transport: null as unknown as Transport,
      abort: new AbortController(),
      helloTimer: null,
    };
    this.#conn = conn;
    const current = () => this.#conn === conn;
    conn.transport = (this.#o.connect ?? connectWebSocket)(url, this.#o.compress, {
      message: (text, bytes) => current() && this.#onMessage(text, bytes),
      close: (code, reason) => current() && this.#apply(handleClose(code, reason, this.id, this.#dialect)),
      error: (err) => current() && this.#disconnect('error', RESUMABLE_CLOSE_CODE, err.message, RESUME_NOW),
    });
    if (this.#paused) conn.transport.pause();
    conn.helloTimer = this.#clock.setTimeout(() => {
      if (current()) this.#disconnect('error', RESUMABLE_CLOSE_CODE, 'no Hello in time', RESUME_NOW);
    }, this.#o.helloTimeoutMs ?? 30_000);
  }

  /**
   * The Resume sent on this connection carries the bot token, so a resume URL (from a session file or the
   * coordinator, which another host reported) is used only on a platform gateway host or the origin this
   * host's own GET /gateway/bot named; otherwise the session resumes through the main gateway URL, which
   * becomes its resume URL (so the host stops reporting the refused one to the coordinator, which would
   * refuse it too). Only a session given at start can carry one: the gateway's own READY names its hosts.
   */
  #trustedResumeUrl(url: string): string {
    try {
      assertTrustedGatewayUrl(url, [originOf(this.#o.gatewayUrl)]);
      return url;
    } catch (err) {
      this.#log.error('untrusted resume URL refused; resuming through the main gateway URL', {
        error: (err as Error).message,
      });
      this.#setSession({ ...this.#session!, resumeUrl: this.#o.gatewayUrl });
      return this.#o.gatewayUrl;
    }
  }

  #onMessage(text: string, bytes: number): void {
    this.#stats.bytesIn += bytes;
    let payload: unknown;
    try {
      payload = JSON.parse(text);
    } catch {
      return void this.#disconnect('error', RESUMABLE_CLOSE_CODE, 'invalid JSON from gateway', RESUME_NOW);
    }
    const conn = this.#conn;
    for (const action of handle(payload as object, { random: this.#random, dialect: this.#dialect })) {
      if (this.#conn !== conn) return; // an action ended this connection; drop the rest
      this.#apply(action, text);
    }
    // After the actions, so an op 11 in this payload is still timed as an ACK.
    this.#heartbeat.trafficReceived();
  }

  /** `text`: the payload the action came from, kept so a dispatch's `d` can be spooled without re-serialising. */
  #apply(action: Action, text?: string): void {
    switch (action.type) {
      case 'dispatch':
        return this.#dispatch(action.seq, action.event, action.data, text, action.eventId);
      case 'hello':
        return this.#hello(action.intervalMs);
      case 'heartbeat':
        return this.#heartbeat.beatNow();
      case 'heartbeat-ack':
        return this.#heartbeat.ackReceived();
      case 'ready':
        this.#o.identifyGate.answered?.(this.id); // the bucket's next identify may be scheduled
        this.#setSession({ sessionId: action.sessionId, resumeUrl: action.resumeUrl ?? this.#o.gatewayUrl, seq: 0 });
        return this.#becomeReady(action.sessionId, 'READY');
      case 'resumed':
        return this.#becomeReady(this.#session?.sessionId ?? '', 'RESUMED');
      case 'reconnect':
        if (action.refreshToken) this.#o.onTokenRejected?.();
        return void this.#disconnect(action.initiator, action.code, action.reason, {
          kind: 'reconnect',
          next: action.next,
          delayMs: action.delayMs,
        });
      case 'fatal':
        return void this.#disconnect('server', action.code, action.error.message, {
          kind: 'fatal',
          error: action.error,
        });
      case 'ignore':
        return this.#log.debug('ignored payload', { reason: action.reason });
    }
  }

  #dispatch(seq: number, type: string, data: unknown, payload: string | undefined, eventId?: string): void {
    const session = this.#session;
    if (session && type !== 'READY' && seq <= session.seq) {
      // A replay overlapping what we already delivered: each seq reaches onDispatch once per session.
      return this.#log.warn('duplicate dispatch dropped', { seq, type, lastSeq: session.seq });
    }
    const record: DispatchRecord = {
      shard: this.id,
      session: session?.sessionId ?? '',
      seq,
      type,
      data,
      receivedAt: this.#clock.now(),
    };
    if (payload !== undefined) record.payload = payload;
    if (this.#dialect.platform !== 'discord') record.platform = this.#dialect.platform;
    if (eventId !== undefined) record.eventId = eventId;
    try {
      this.#o.onDispatch(record);
    } catch (err) {
      // Not acknowledged: keep the old seq and resume, so the gateway replays this event.
      this.#log.error('onDispatch failed; resuming to replay', { seq, type, error: err });
      return void this.#disconnect('error', RESUMABLE_CLOSE_CODE, 'onDispatch failed', RESUME_NOW);
    }
    if (session) session.seq = seq;
    this.#stats.eventsReceived++;
  }

  #hello(intervalMs: number): void {
    const conn = this.#conn;
    if (!conn) return;
    conn.helloTimer?.cancel();
    this.#heartbeat.start(intervalMs);
    const session = this.#session;
    if (session) {
      this.#transition({ kind: 'resuming', sessionId: session.sessionId }, `Hello, resuming at seq ${session.seq}`);
      this.#stats.resumes++;
      return this.#withToken(conn, (token) => this.#sendNow(this.#dialect.resume(token, session), 'system'));
    }
    this.#transition({ kind: 'identifying' }, 'Hello, waiting for the identify gate');
    this.#o.identifyGate.acquire(this.id, conn.abort.signal).then(
      () => {
        if (this.#conn !== conn) return;
        this.#withToken(conn, (token) => {
          this.#stats.identifies++;
          const { intents, count, largeThreshold = 250, presence } = this.#o;
          const input = { token, intents, shard: [this.id, count] as [number, number], largeThreshold, presence };
          this.#sendNow(this.#dialect.identify(input), 'system');
        });
      },
      // Aborted: this connection already ended. A gate naming a wait (the budget's breaker) is waited out
      // without a socket; any other failure retries with backoff.
      (err: unknown) => {
        if (this.#conn !== conn) return;
        this.#log.warn('identify gate failed', { error: err });
        this.#disconnect('error', RESUMABLE_CLOSE_CODE, 'identify gate failed', {
          kind: 'reconnect',
          next: 'reidentify',
          delayMs: retryAfterOf(err) ?? 0,
        });
      },
    );
  }

  /** Runs `send` with the credential for Identify/Resume: a fixed token (Discord, at once) or the current
   *  access token (QQ, fetched or refreshed first), on this connection only. */
  #withToken(conn: Connection, send: (token: string) => void): void {
    const t = this.#o.token;
    if (typeof t === 'string') return send(t);
    t().then(
      (token) => this.#conn === conn && send(token),
      (err: unknown) => this.#credentialFailed(conn, err),
    );
  }

  /** No credential to send (the access-token endpoint failed): try again with backoff, keeping the session. */
  #credentialFailed(conn: Connection, err: unknown): void {
    if (this.#conn !== conn) return;
    this.#log.warn('no credential for the gateway', { error: err });
    void this.#disconnect('error', RESUMABLE_CLOSE_CODE, 'credential unavailable', {
      kind: 'reconnect',
      next: this.#session ? 'resume' : 'reidentify',
      delayMs: 0,
    });
  }

  /** Session starts and ends are reported, so the host can persist them (sessions/). */
  #setSession(session: SessionInfo | null): void {
    if (session === null && this.#session === null) return;
    this.#session = session;
    this.#o.onSession?.(session ? { ...session } : null);
  }

  #becomeReady(sessionId: string, reason: string): void {
    this.#attempt = 0;
    this.#transition({ kind: 'ready', sessionId }, reason);
    this.#waiters.resolveAll();
  }

  /** Sends through the limiter on the current connection; dropped if that connection ends first. */
  #sendNow(payload: GatewayCommand, priority: SendPriority): void {
    const conn = this.#conn;
    if (!conn) return;
    const json = JSON.stringify(payload);
    try {
      assertPayloadSize(json);
    } catch (err) {
      return void this.#disconnect('error', 1000, 'payload too large', { kind: 'fatal', error: err as EdgeshardError });
    }
    if (this.#limiter.tryAcquire(priority)) return conn.transport.send(json);
    this.#limiter.acquire(priority, conn.abort.signal).then(
      () => this.#conn === conn && conn.transport.send(json),
      () => {},
    );
  }

  /** The one exit for every connection: who ended it, with which code, and what comes next. */
  #disconnect(initiator: Initiator, code: number, reason: string, after: After): Promise<void> {
    const conn = this.#conn;
    this.#conn = null;
    this.#heartbeat.stop();
    if (this.#state.kind === 'identifying') this.#o.identifyGate.answered?.(this.id); // op 9, close, error
    let closed = Promise.resolve();
    if (conn) {
      conn.helloTimer?.cancel();
      conn.abort.abort(new EdgeshardError('not_available', `connection closed: ${reason}`));
      if (initiator !== 'server') closed = conn.transport.close(code, reason);
    }
    this.#log.info('disconnect', { initiator, code, reason, after: after.kind });
    if (after.kind === 'reconnect') {
      if (after.next === 'reidentify') this.#setSession(null);
      const delayMs = reconnectDelay(this.#attempt++, after.delayMs, this.#o.backoff, this.#random);
      this.#transition(
        { kind: 'disconnected', attempt: this.#attempt, delayMs, next: after.next, code },
        `${initiator}: ${reason}`,
      );
      this.#reconnectTimer = this.#clock.setTimeout(() => {
        this.#reconnectTimer = null;
        this.#openWhenAllowed();
      }, delayMs);
      return closed;
    }
    const error =
      after.kind === 'fatal' ? after.error : new EdgeshardError('not_available', `shard ${this.id} stopped`);
    if (after.kind === 'fatal' || !after.resumable) this.#setSession(null);
    this.#transition(
      after.kind === 'fatal' ? { kind: 'fatal', error } : { kind: 'stopped', resumable: after.resumable },
      `${initiator}: ${reason}`,
    );
    this.#limiter.close(error);
    this.#waiters.rejectAll(error);
    if (after.kind === 'fatal') {
      this.#log.error('shard failed', { error });
      this.#o.onFatal?.(error);
    }
    return closed;
  }
}
