// Reads the spool per shard, in order, and POSTs signed batches to the Worker's /events. One batch per
// shard in flight keeps a shard's events in order; a bounded number of shards send at once. An event
// leaves the spool only when the Worker acknowledged it (or it was dead-lettered).
import { Pool } from 'undici';
import { signedHeaders, type BatchResponse, type EventEnvelope, type EventResult } from '../../protocol/index.ts';
import { backoff } from '../gateway/backoff.ts';
import type { Logger } from '../log.ts';
import type { Spool, SpoolEntry } from '../spool/types.ts';
import { batchBody } from './batch.ts';
import { classifyResponse } from './outcome.ts';

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
  onAcked?: (shard: number, events: readonly EventEnvelope[]) => void;
  onDeadLetter?: (event: EventEnvelope, reason: string) => void;
}

export interface ForwarderStats {
  batchesSent: number;
  eventsAcked: number;
  retries: number;
  deadLetters: number;
  lastLatencyMs: number | null;
}

export class Forwarder {
  readonly #o: Required<Omit<ForwarderOptions, 'onAcked' | 'onDeadLetter'>> & Pick<ForwarderOptions, 'onAcked' | 'onDeadLetter'>;
  readonly #pool: Pool;
  readonly #path: string;
  readonly #inFlight = new Set<number>();
  readonly #waiting = new Set<number>();
  readonly #timers = new Map<number, { at: number; timer: NodeJS.Timeout }>();
  readonly #attempts = new Map<number, number>();
  readonly #notBefore = new Map<number, number>();
  /** Lowered after a 413 so the next batches fit the Worker's limit. */
  readonly #maxEvents = new Map<number, number>();
  #stopped = false;
  readonly stats: ForwarderStats = { batchesSent: 0, eventsAcked: 0, retries: 0, deadLetters: 0, lastLatencyMs: null };

  constructor(options: ForwarderOptions) {
    this.#o = { maxInFlight: 8, requestTimeoutMs: 30_000, epoch: () => 0, ...options };
    const url = new URL(options.workerUrl);
    this.#path = url.pathname.replace(/\/$/, '') + '/events';
    // Keep-alive longer than Cloudflare's idle timeout would keep sockets Cloudflare already closed;
    // undici honours the server's keep-alive hint and retries a request on a reset idle socket.
    this.#pool = new Pool(url.origin, { connections: this.#o.maxInFlight, keepAliveTimeout: 60_000, pipelining: 1 });
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
    const entries = this.#o.spool.pending(shard, limit, this.#o.maxBytes);
    const first = entries[0];
    if (!first) return;
    const bytes = entries.reduce((n, e) => n + e.json.length, 0);
    const full = entries.length >= limit || bytes >= this.#o.maxBytes;
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
    const started = Date.now();
    let status: number;
    let text: string;
    let retryAfter: string | null = null;
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
      return this.#retry(shard, entries.length, `cannot reach the Worker at ${this.#o.workerUrl}: ${(err as Error).message}`);
    }
    this.stats.batchesSent++;
    this.stats.lastLatencyMs = Date.now() - started;

    const outcome = classifyResponse(status, retryAfter, text);
    switch (outcome.kind) {
      case 'retry':
        return this.#retry(shard, entries.length, outcome.reason, outcome.retryAfterMs);
      case 'split':
        this.#maxEvents.set(shard, Math.max(1, Math.floor(entries.length / 2)));
        if (entries.length === 1) return this.#finish(shard, entries, new Map(entries.map((e) => [e.event.id, { id: e.event.id, outcome: 'dead-letter', error: outcome.reason }])));
        return this.#retry(shard, entries.length, outcome.reason, 0);
      case 'dead-letter':
        return this.#finish(shard, entries, new Map(entries.map((e) => [e.event.id, { id: e.event.id, outcome: 'dead-letter', error: outcome.reason }])));
      case 'per-event': {
        let parsed: BatchResponse;
        try {
          parsed = JSON.parse(text) as BatchResponse;
          if (!Array.isArray(parsed.results)) throw new Error('no results array');
        } catch (err) {
          return this.#retry(shard, entries.length, `Worker answered 200 with an unreadable body: ${(err as Error).message}`);
        }
        return this.#finish(shard, entries, new Map(parsed.results.map((r) => [r.id, r])));
      }
    }
  }

  #finish(shard: number, entries: SpoolEntry[], results: Map<string, EventResult>): void {
    const done = new Set<string>();
    const acked: EventEnvelope[] = [];
    let failed = 0;
    let reason = '';
    for (const { event } of entries) {
      const result = results.get(event.id);
      if (result?.outcome === 'ack') {
        done.add(event.id);
        acked.push(event);
      } else if (result?.outcome === 'dead-letter') {
        done.add(event.id);
        this.stats.deadLetters++;
        this.#o.onDeadLetter?.(event, result.error ?? 'dead-lettered by the Worker');
      } else {
        failed++;
        reason ||= result?.error ?? 'the Worker did not answer for this event';
      }
    }
    this.#o.spool.ack(shard, done);
    this.stats.eventsAcked += acked.length;
    if (acked.length > 0) this.#o.onAcked?.(shard, acked);
    if (failed > 0) this.#retry(shard, failed, reason);
    else {
      this.#attempts.delete(shard);
      this.#notBefore.delete(shard);
    }
  }

  #retry(shard: number, events: number, reason: string, retryAfterMs?: number): void {
    const attempt = (this.#attempts.get(shard) ?? 0) + 1;
    this.#attempts.set(shard, attempt);
    this.stats.retries++;
    const delay = retryAfterMs ?? backoff(attempt - 1, { baseMs: 250, maxMs: 30_000, random: Math.random });
    this.#notBefore.set(shard, Date.now() + delay);
    this.#o.logger.warn('batch will be retried', { shard, events, attempt, delayMs: Math.round(delay), reason });
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
    this.#stopped = true;
    for (const { timer } of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
    await this.#pool.close();
  }
}
