// Reads the spool per shard, in order, and POSTs signed batches to the Worker's /events. One batch per
// shard in flight keeps a shard's events in order; a bounded number of shards send at once. An event
// leaves the spool only when the Worker acknowledged it (or it was dead-lettered). After a failure, the
// shard re-sends only the failed remainder of that batch before anything newer.
import { Pool } from 'undici';
import { signedHeaders, type BatchResponse, type EventEnvelope, type EventResult } from '../../protocol/index.ts';
import { backoff } from '../gateway/backoff.ts';
import type { Logger } from '../log.ts';
import type { Spool, SpoolEntry } from '../spool/types.ts';
import { batchBody } from './batch.ts';
import { classifyResponse } from './outcome.ts';

/** Below Cloudflare's 400 s idle limit for client connections; see the constructor. */
export const KEEP_ALIVE_MS = 300_000;

export interface ForwarderOptions {
  workerUrl: string;
  secret: string;
  hostId: string;
  spool: Spool;
  logger: Logger;
  maxEvents: number;
  maxBytes: number;
  lingerMs: number;
  maxInFlight?: number;
  requestTimeoutMs?: number;
  /** Lease epoch per shard; 0 until a coordinator hands out epochs. */
  epoch?: (shard: number) => number;
  /** Reconnect-style backoff for retries (full jitter); Retry-After from the Worker wins. */
  retryBackoff?: { baseMs: number; maxMs: number };
  /** Seam for tests. */
  random?: () => number;
  onAcked?: (shard: number, events: readonly EventEnvelope[]) => void;
  /** Called before the event leaves the spool; a throw keeps it in the spool (retried later). */
  onDeadLetter?: (event: EventEnvelope, reason: string) => void;
  onBatch?: (sent: BatchSent) => void;
  onRetry?: (shard: number, events: number, reason: string) => void;
}

export interface BatchSent {
  shard: number;
  events: number;
  bytes: number;
  /** HTTP status, or null when no response came back. */
  status: number | null;
  latencyMs: number;
}

type Hooks = 'onAcked' | 'onDeadLetter' | 'onBatch' | 'onRetry';

export interface ForwarderStats {
  batchesSent: number;
  eventsAcked: number;
  /** Retry decisions (a batch or its failed remainder scheduled again). */
  retries: number;
  /** Events those retries carried. */
  retriedEvents: number;
  deadLetters: number;
  /** Events dropped because a newer lease epoch owns their shard (the new owner gets them by replay). */
  fenced: number;
  lastLatencyMs: number | null;
}

function allResults(
  entries: readonly SpoolEntry[],
  outcome: EventResult['outcome'],
  error: string,
): Map<string, EventResult> {
  return new Map(entries.map((e) => [e.event.id, { id: e.event.id, outcome, error }]));
}

export class Forwarder {
  readonly #o: Required<Omit<ForwarderOptions, Hooks>> & Pick<ForwarderOptions, Hooks>;
  readonly #pool: Pool;
  readonly #path: string;
  readonly #inFlight = new Set<number>();
  readonly #waiting = new Set<number>();
  readonly #timers = new Map<number, { at: number; timer: NodeJS.Timeout }>();
  readonly #attempts = new Map<number, number>();
  readonly #notBefore = new Map<number, number>();
  /** After a failure: the last position of the failed batch, so the retry carries nothing newer. */
  readonly #through = new Map<number, number>();
  /** Lowered after a 413 so the next batches fit the Worker's limit. */
  readonly #maxEvents = new Map<number, number>();
  #stopped = false;
  readonly stats: ForwarderStats = {
    batchesSent: 0,
    eventsAcked: 0,
    retries: 0,
    retriedEvents: 0,
    deadLetters: 0,
    fenced: 0,
    lastLatencyMs: null,
  };

  constructor(options: ForwarderOptions) {
    this.#o = {
      maxInFlight: 8,
      requestTimeoutMs: 30_000,
      epoch: () => 0,
      retryBackoff: { baseMs: 250, maxMs: 10_000 },
      random: Math.random,
      ...options,
    };
    const url = new URL(options.workerUrl);
    this.#path = url.pathname.replace(/\/$/, '') + '/events';
    // Cloudflare closes an idle HTTP/1.1 client connection after 400 s (Fundamentals > Connection
    // limits). Keeping ours 300 s means a quiet bot still reuses its TLS connection between bursts, and we
    // always close an idle socket before Cloudflare does, so a request never races a closing socket.
    this.#pool = new Pool(url.origin, {
      connections: this.#o.maxInFlight,
      keepAliveTimeout: KEEP_ALIVE_MS,
      keepAliveMaxTimeout: KEEP_ALIVE_MS,
      pipelining: 1,
    });
  }

  /** Call after appending to the spool. */
  notify(shard: number): void {
    this.#pump(shard);
  }

  /** Sends whatever the spool holds from an earlier run. */
  resume(): void {
    for (const shard of this.#o.spool.shards()) this.#pump(shard);
  }

  #schedule(shard: number, delayMs: number): void {
    const at = Date.now() + delayMs;
    const existing = this.#timers.get(shard);
    if (existing && existing.at <= at) return;
    if (existing) clearTimeout(existing.timer);
    const timer = setTimeout(() => {
      this.#timers.delete(shard);
      this.#pump(shard);
    }, delayMs);
    timer.unref();
    this.#timers.set(shard, { at, timer });
  }

  #pump(shard: number): void {
    if (this.#stopped || this.#inFlight.has(shard)) return;
    const now = Date.now();
    const notBefore = this.#notBefore.get(shard) ?? 0;
    if (now < notBefore) return this.#schedule(shard, notBefore - now);
    const limit = this.#maxEvents.get(shard) ?? this.#o.maxEvents;
    const through = this.#through.get(shard);
    const entries = this.#o.spool.pending(shard, limit, this.#o.maxBytes, through);
    const first = entries[0];
    if (!first) {
      // The failed remainder was dropped (size cap): carry on with what is newer.
      if (through !== undefined) {
        this.#through.delete(shard);
        return this.#pump(shard);
      }
      return;
    }
    const bytes = entries.reduce((n, e) => n + e.json.length, 0);
    // A retry goes at once (its delay was the backoff); a fresh batch may wait to fill up.
    const full = through !== undefined || entries.length >= limit || bytes >= this.#o.maxBytes;
    const age = now - first.event.receivedAt;
    if (!full && age < this.#o.lingerMs) return this.#schedule(shard, this.#o.lingerMs - age);
    if (this.#inFlight.size >= this.#o.maxInFlight) {
      this.#waiting.add(shard);
      return;
    }
    this.#inFlight.add(shard);
    void this.#send(shard, entries).finally(() => {
      this.#inFlight.delete(shard);
      this.#pump(shard);
      for (const next of this.#waiting) {
        if (this.#inFlight.size >= this.#o.maxInFlight) break;
        this.#waiting.delete(next);
        this.#pump(next);
      }
    });
  }

  async #send(shard: number, entries: SpoolEntry[]): Promise<void> {
    const body = batchBody(this.#o.hostId, this.#o.epoch(shard), entries);
    let status: number;
    let text: string;
    let retryAfter: string | null = null;
    try {
      // Nothing leaves the host before it is as durable as the spool promises.
      await this.#o.spool.sync();
    } catch (err) {
      this.#o.logger.error('spool sync failed; batch held back', { shard, error: err });
      return this.#retry(shard, entries, `spool sync failed: ${(err as Error).message}`);
    }
    const started = Date.now();
    try {
      const res = await this.#pool.request({
        path: this.#path,
        method: 'POST',
        headers: { ...(await signedHeaders(this.#o.secret, body)), 'content-type': 'application/json' },
        body,
        headersTimeout: this.#o.requestTimeoutMs,
        bodyTimeout: this.#o.requestTimeoutMs,
      });
      status = res.statusCode;
      const header = res.headers['retry-after'];
      retryAfter = typeof header === 'string' ? header : null;
      text = await res.body.text();
    } catch (err) {
      this.#o.onBatch?.({
        shard,
        events: entries.length,
        bytes: body.length,
        status: null,
        latencyMs: Date.now() - started,
      });
      return this.#retry(shard, entries, `cannot reach the Worker at ${this.#o.workerUrl}: ${(err as Error).message}`);
    }
    this.stats.batchesSent++;
    this.stats.lastLatencyMs = Date.now() - started;
    this.#o.onBatch?.({
      shard,
      events: entries.length,
      bytes: body.length,
      status,
      latencyMs: this.stats.lastLatencyMs,
    });

    const outcome = classifyResponse(status, retryAfter, text);
    switch (outcome.kind) {
      case 'retry':
        return this.#retry(shard, entries, outcome.reason, outcome.retryAfterMs);
      case 'split':
        this.#maxEvents.set(shard, Math.max(1, Math.floor(entries.length / 2)));
        if (entries.length === 1)
          return this.#finish(shard, entries, allResults(entries, 'dead-letter', outcome.reason));
        return this.#retry(shard, entries, outcome.reason, 0);
      case 'dead-letter':
        return this.#finish(shard, entries, allResults(entries, 'dead-letter', outcome.reason));
      case 'fenced':
        this.#o.spool.ack(
          shard,
          entries.map((e) => e.pos),
        );
        this.stats.fenced += entries.length;
        this.#o.logger.warn('batch fenced: another host owns this shard now and receives these events by replay', {
          shard,
          events: entries.length,
          reason: outcome.reason,
        });
        return;
      case 'per-event': {
        let parsed: BatchResponse;
        try {
          parsed = JSON.parse(text) as BatchResponse;
          if (!Array.isArray(parsed.results)) throw new Error('no results array');
        } catch (err) {
          return this.#retry(shard, entries, `Worker answered 200 with an unreadable body: ${(err as Error).message}`);
        }
        return this.#finish(shard, entries, new Map(parsed.results.map((r) => [r.id, r])));
      }
    }
  }

  #finish(shard: number, entries: SpoolEntry[], results: Map<string, EventResult>): void {
    const done: number[] = [];
    const acked: EventEnvelope[] = [];
    const failed: SpoolEntry[] = [];
    let reason = '';
    for (const entry of entries) {
      const result = results.get(entry.event.id);
      if (result?.outcome === 'ack') {
        done.push(entry.pos);
        acked.push(entry.event);
      } else if (
        result?.outcome === 'dead-letter' &&
        this.#deadLetter(entry.event, result.error ?? 'dead-lettered by the Worker')
      ) {
        done.push(entry.pos);
      } else {
        failed.push(entry);
        reason ||= result?.error ?? 'the Worker did not answer for this event';
      }
    }
    this.#o.spool.ack(shard, done);
    this.stats.eventsAcked += acked.length;
    if (acked.length > 0) this.#o.onAcked?.(shard, acked);
    if (failed.length > 0) return this.#retry(shard, entries, reason, undefined, failed.length);
    this.#attempts.delete(shard);
    this.#notBefore.delete(shard);
    this.#through.delete(shard);
  }

  /** Hands the event to the dead-letter sink; false (keep it spooled) if the sink could not take it. */
  #deadLetter(event: EventEnvelope, reason: string): boolean {
    try {
      this.#o.onDeadLetter?.(event, reason);
    } catch (err) {
      this.#o.logger.error('cannot write a dead letter; the event stays in the spool', {
        eventId: event.id,
        error: err,
      });
      return false;
    }
    this.stats.deadLetters++;
    return true;
  }

  #retry(
    shard: number,
    batch: readonly SpoolEntry[],
    reason: string,
    retryAfterMs?: number,
    failed = batch.length,
  ): void {
    const attempt = (this.#attempts.get(shard) ?? 0) + 1;
    this.#attempts.set(shard, attempt);
    this.#through.set(shard, batch.at(-1)!.pos);
    this.stats.retries++;
    this.stats.retriedEvents += failed;
    const delay = retryAfterMs ?? backoff(attempt - 1, { ...this.#o.retryBackoff, random: this.#o.random });
    this.#notBefore.set(shard, Date.now() + delay);
    this.#o.onRetry?.(shard, failed, reason);
    this.#o.logger.warn('batch will be retried', {
      shard,
      events: failed,
      attempt,
      delayMs: Math.round(delay),
      reason,
    });
  }

  /** Resolves true once the spool is empty, false at the deadline. */
  async drain(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.#o.spool.depth().events === 0 && this.#inFlight.size === 0) return true;
      this.resume();
      await new Promise((r) => setTimeout(r, 20));
    }
    return false;
  }

  async close(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    for (const { timer } of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
    await this.#pool.close();
  }
}
