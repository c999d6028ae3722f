// Reads the spool and sends signed requests to the Worker's /events, each packing several shards' events
// (pack.ts, batch version 2). A request leaves when it is full (maxEvents), when a shard's retry is due,
// or when `lingerMs` have passed since the last one left: a quiet host sends an event at once, a busy one
// about one request per linger, whatever its number of shards. One request per shard in flight keeps a
// shard's events in order; at most maxInFlight requests at once. An event leaves the spool only when the
// Worker acknowledged it, it was dead-lettered, or its shard was fenced. After a failure a shard re-sends
// only the failed remainder of its part before anything newer. Each shard's state is one ShardDelivery
// (state.ts), changed only in #transition; time comes from the injected Clock and the Worker is reached
// through the injected BatchTransport.
import type { BatchResponse, EventEnvelope, EventResult } from '../../protocol/index.ts';
import { systemClock, type Clock, type Timer } from '../gateway/clock.ts';
import type { Logger } from '../log.ts';
import type { Spool, SpoolEntry } from '../spool/types.ts';
import { batchBody } from './batch.ts';
import { classifyResponse } from './outcome.ts';
import { pack, type PackCandidate, type RequestPart } from './pack.ts';
import { batchRetryDelay, DEFAULT_RETRY_POLICY, handlerRetryDelay, type RetryPolicy } from './retry-policy.ts';
import { noRemainder, type Remainder, type ShardDelivery } from './state.ts';
import type { BatchTransport } from './transport.ts';
import { verdict } from './verdict.ts';

export interface ForwarderOptions {
  transport: BatchTransport;
  hostId: string;
  spool: Spool;
  logger: Logger;
  /** Most events per request (EDGESHARD_BATCH_MAX_EVENTS), lowered after a 413. */
  maxEvents: number;
  /** Most bytes of event JSON per request (EDGESHARD_BATCH_MAX_BYTES). */
  maxBytes: number;
  /** Least time between two requests that are not full (EDGESHARD_BATCH_LINGER_MS). */
  lingerMs: number;
  /** Requests in flight at once. */
  maxInFlight?: number;
  /** Handler failures of one event before it is dead-lettered (EDGESHARD_MAX_ATTEMPTS). */
  maxAttempts?: number;
  /** Lease epoch per shard; 0 until a coordinator hands out epochs. */
  epoch?: (shard: number) => number;
  /** Backoff caps (retry-policy.ts); Retry-After from the Worker wins for whole-batch failures. */
  retryPolicy?: Partial<Omit<RetryPolicy, 'maxAttempts'>>;
  clock?: Clock;
  /** Uniform in [0, 1), for the whole-batch backoff's jitter; a seam for tests. */
  random?: () => number;
  onAcked?: (shard: number, events: readonly EventEnvelope[]) => void;
  /** Called before the event leaves the spool; a throw keeps it in the spool (retried later). */
  onDeadLetter?: (event: EventEnvelope, reason: string) => void;
  onBatch?: (sent: BatchSent) => void;
  onRetry?: (shard: number, events: number, reason: string) => void;
}

/** One request and its answer. */
export interface BatchSent {
  shards: number;
  events: number;
  bytes: number;
  /** HTTP status, or null when no response came back. */
  status: number | null;
  latencyMs: number;
}

export interface ForwarderStats {
  /** Requests answered by the Worker. */
  batchesSent: number;
  eventsAcked: number;
  /** Retry decisions (a shard's part or its failed remainder scheduled again). */
  retries: number;
  /** Events those retries carried. */
  retriedEvents: number;
  deadLetters: number;
  /** Events dropped because a newer lease epoch owns their shard (the new owner gets them by replay). */
  fenced: number;
  lastLatencyMs: number | null;
}

/** What a finished request leads to for one of its shards; #settle turns it into the shard's next state. */
type Next =
  | { kind: 'done'; reason: string }
  | { kind: 'retry'; remainder: Remainder; delayMs: number; events: number; reason: string; attempt: number };

/** A whole request's fate, before it is applied to each shard's part. */
type RequestFate =
  | { kind: 'whole-retry'; reason: string; retryAfterMs?: number | undefined }
  | { kind: 'split'; reason: string }
  | { kind: 'per-event'; results: Map<string, EventResult> }
  | { kind: 'fenced'; reason: string };

export class Forwarder {
  readonly #o: ForwarderOptions;
  readonly #clock: Clock;
  readonly #policy: RetryPolicy;
  readonly #maxInFlight: number;
  readonly #random: () => number;
  readonly #epoch: (shard: number) => number;
  readonly #shards = new Map<number, ShardDelivery>();
  /** Idle shards whose retry is due: a request goes at once. */
  readonly #due = new Set<number>();
  /** Events waiting in idle shards, kept per event in O(1) (recounted at each request): "is a request full?" */
  #waiting = 0;
  /** Most events per request; halved after a 413 and kept. */
  #maxEvents: number;
  #requests = 0;
  #nextRequest = 1;
  #lastSentAt = Number.NEGATIVE_INFINITY;
  #pacer: Timer | null = null;
  #stopped = false;
  /** drain() callers, checked after every request. */
  readonly #idleWaiters = new Set<() => void>();
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
    this.#o = options;
    this.#clock = options.clock ?? systemClock;
    this.#maxInFlight = options.maxInFlight ?? 8;
    this.#random = options.random ?? Math.random;
    this.#epoch = options.epoch ?? (() => 0);
    this.#maxEvents = options.maxEvents;
    this.#policy = {
      maxAttempts: options.maxAttempts ?? DEFAULT_RETRY_POLICY.maxAttempts,
      batch: options.retryPolicy?.batch ?? DEFAULT_RETRY_POLICY.batch,
      handler: options.retryPolicy?.handler ?? DEFAULT_RETRY_POLICY.handler,
    };
  }

  /** Call after appending one event to the spool. */
  notify(shard: number): void {
    if (this.#state(shard).kind === 'idle') this.#waiting++;
    this.#pump();
  }

  /** Sends whatever the spool holds from an earlier run. */
  resume(): void {
    this.#waiting = this.#o.spool.depth().events;
    this.#pump();
  }

  /** The shard's current phase (for tests and health output). */
  phase(shard: number): ShardDelivery['kind'] {
    return this.#state(shard).kind;
  }

  #state(shard: number): ShardDelivery {
    return this.#shards.get(shard) ?? IDLE;
  }

  /** The only writer of a shard's state. Leaving a backoff cancels its timer. */
  #transition(shard: number, to: ShardDelivery, reason: string): void {
    const from = this.#state(shard);
    if (from.kind === 'backing-off') from.timer.cancel();
    if (to === IDLE) this.#shards.delete(shard);
    else this.#shards.set(shard, to);
    if (to.kind === 'idle' && to.remainder) this.#due.add(shard);
    else this.#due.delete(shard);
    this.#o.logger.debug(`shard ${shard}: ${from.kind} → ${to.kind} (${reason})`, {
      shard,
      from: from.kind,
      to: to.kind,
      reason,
    });
  }

  /** Sends requests while one is due and a slot is free; otherwise waits for the linger to end. */
  #pump(): void {
    while (!this.#stopped && this.#requests < this.#maxInFlight) {
      const now = this.#clock.now();
      const lingerEnds = this.#lastSentAt + this.#o.lingerMs;
      const due = this.#due.size > 0 || this.#waiting >= this.#maxEvents || now >= lingerEnds;
      if (!due) {
        if (this.#waiting > 0 && this.#pacer === null)
          this.#pacer = this.#clock.setTimeout(() => {
            this.#pacer = null;
            this.#pump();
          }, lingerEnds - now);
        return;
      }
      if (!this.#startRequest(now)) return;
    }
  }

  /** Packs the idle shards' events into one request and sends it; false when there was nothing to send. */
  #startRequest(now: number): boolean {
    const candidates: PackCandidate[] = [];
    for (const shard of this.#o.spool.shards()) {
      const s = this.#state(shard);
      if (s.kind === 'idle') candidates.push({ shard, remainder: s.remainder });
    }
    const packed = pack(this.#o.spool, candidates, this.#maxEvents, this.#o.maxBytes);
    this.#waiting = packed.left;
    if (packed.parts.length === 0) {
      // Due retries whose events left the spool another way (dropped past the size cap): nothing owed.
      for (const shard of [...this.#due]) this.#transition(shard, IDLE, 'failed remainder no longer spooled');
      return false;
    }
    this.#pacer?.cancel();
    this.#pacer = null;
    // A busy host keeps the beat (one request per linger) when its timer fires late: the delay is taken from
    // the next wait, so requests average one per linger. An early (full) request, or one after a quiet
    // linger, starts a new beat.
    const beat = this.#lastSentAt + this.#o.lingerMs;
    this.#lastSentAt = now >= beat && now < beat + this.#o.lingerMs ? beat : now;
    const request = this.#nextRequest++;
    this.#requests++;
    for (const part of packed.parts) {
      const events = part.entries.length;
      const why = part.remainder ? `retry of ${events} events` : `${events} events`;
      const to = { kind: 'in-flight', request, since: now, events, remainder: part.remainder } as const;
      this.#transition(part.shard, to, `${why} in request ${request} (${packed.parts.length} shards)`);
    }
    void this.#send(request, packed.parts);
    return true;
  }

  async #send(request: number, parts: RequestPart[]): Promise<void> {
    let fate: RequestFate;
    try {
      fate = await this.#deliver(parts);
    } catch (err) {
      // A throwing hook (onBatch) must not wedge the shards in flight.
      this.#o.logger.error('forwarder step failed; the request will be retried', { error: err });
      fate = { kind: 'whole-retry', reason: `internal error: ${(err as Error).message}` };
    }
    const events = count(parts);
    if (fate.kind === 'split') this.#maxEvents = Math.max(1, Math.floor(events / 2));
    for (const part of parts) {
      let next: Next;
      try {
        next = this.#apply(part, fate, events);
      } catch (err) {
        this.#o.logger.error('forwarder step failed; the batch will be retried', { shard: part.shard, error: err });
        next = this.#wholeBatchRetry(part, `internal error: ${(err as Error).message}`);
      }
      this.#settle(request, part.shard, next);
    }
    this.#requests--;
    for (const check of this.#idleWaiters) check();
    this.#pump();
  }

  /** One shard's part of an answered request: its next state. */
  #apply(part: RequestPart, fate: RequestFate, requestEvents: number): Next {
    switch (fate.kind) {
      case 'whole-retry':
        return this.#wholeBatchRetry(part, fate.reason, fate.retryAfterMs);
      case 'split': {
        // A single event too large for the Worker is dead-lettered; otherwise smaller requests from now on.
        if (requestEvents === 1) return this.#finish(part, allResults(part.entries, fate.reason));
        const next = { ...(part.remainder ?? noRemainder(0)), through: part.entries.at(-1)!.pos };
        const events = part.entries.length;
        return { kind: 'retry', remainder: next, delayMs: 0, events, reason: fate.reason, attempt: 1 };
      }
      case 'fenced':
        this.#fence(part, fate.reason);
        return { kind: 'done', reason: 'fenced' };
      case 'per-event':
        return this.#finish(part, fate.results);
    }
  }

  #settle(request: number, shard: number, next: Next): void {
    const state = this.#state(shard);
    if (this.#stopped || state.kind !== 'in-flight' || state.request !== request) return;
    if (next.kind === 'done') {
      this.#transition(shard, IDLE, next.reason);
      this.#waiting += this.#o.spool.depth(shard).events;
      return;
    }
    this.stats.retries++;
    this.stats.retriedEvents += next.events;
    this.#o.onRetry?.(shard, next.events, next.reason);
    this.#o.logger.warn('batch will be retried', {
      shard,
      events: next.events,
      attempt: next.attempt,
      delayMs: Math.round(next.delayMs),
      reason: next.reason,
    });
    if (next.delayMs <= 0) return this.#transition(shard, { kind: 'idle', remainder: next.remainder }, next.reason);
    const until = this.#clock.now() + next.delayMs;
    const timer = this.#clock.setTimeout(() => {
      this.#transition(shard, { kind: 'idle', remainder: next.remainder }, 'backoff over');
      this.#pump();
    }, next.delayMs);
    this.#transition(shard, { kind: 'backing-off', until, timer, remainder: next.remainder }, next.reason);
  }

  async #deliver(parts: RequestPart[]): Promise<RequestFate> {
    const body = batchBody(
      this.#o.hostId,
      parts.map((p) => ({ shard: p.shard, epoch: this.#epoch(p.shard), entries: p.entries })),
    );
    try {
      // Nothing leaves the host before it is as durable as the spool promises.
      await this.#o.spool.sync();
    } catch (err) {
      this.#o.logger.error('spool sync failed; request held back', { error: err });
      return { kind: 'whole-retry', reason: `spool sync failed: ${(err as Error).message}` };
    }
    const started = this.#clock.now();
    const reply = await this.#o.transport.send(body);
    const latencyMs = this.#clock.now() - started;
    const status = reply.kind === 'answer' ? reply.status : null;
    if (reply.kind === 'answer') {
      this.stats.batchesSent++;
      this.stats.lastLatencyMs = latencyMs;
    }
    this.#o.onBatch?.({ shards: parts.length, events: count(parts), bytes: body.length, status, latencyMs });
    if (reply.kind === 'unreachable')
      return {
        kind: 'whole-retry',
        reason: `cannot reach the Worker at ${this.#o.transport.target}: ${reply.error}`,
      };

    const outcome = classifyResponse(reply.status, reply.retryAfter, reply.text);
    switch (outcome.kind) {
      case 'retry':
        return { kind: 'whole-retry', reason: outcome.reason, retryAfterMs: outcome.retryAfterMs };
      case 'split':
      case 'fenced':
        return outcome;
      case 'dead-letter':
        return {
          kind: 'per-event',
          results: allResults(
            parts.flatMap((p) => p.entries),
            outcome.reason,
          ),
        };
      case 'per-event': {
        let parsed: BatchResponse;
        try {
          parsed = JSON.parse(reply.text) as BatchResponse;
          if (!Array.isArray(parsed.results)) throw new Error('no results array');
        } catch (err) {
          return {
            kind: 'whole-retry',
            reason: `Worker answered 200 with an unreadable body: ${(err as Error).message}`,
          };
        }
        return { kind: 'per-event', results: new Map(parsed.results.map((r) => [r.id, r])) };
      }
    }
  }

  /** The whole request failed without a word about its events: capped backoff, never a dead letter. */
  #wholeBatchRetry(part: RequestPart, reason: string, retryAfterMs?: number): Next {
    const base = part.remainder ?? noRemainder(0);
    const batchFailures = base.batchFailures + 1;
    const delayMs = retryAfterMs ?? batchRetryDelay(batchFailures, this.#policy, this.#random);
    const next = { ...base, through: part.entries.at(-1)!.pos, batchFailures };
    return { kind: 'retry', remainder: next, delayMs, events: part.entries.length, reason, attempt: batchFailures };
  }

  /** Another host owns the shard at a newer epoch and resumed its session: the platform replays these events
   *  to it, so this host drops them (counted), no dead letter. */
  #fence(part: RequestPart, reason: string): void {
    this.#o.spool.ack(
      part.shard,
      part.entries.map((e) => e.pos),
    );
    this.#fenced(part.shard, part.entries.length, reason);
  }

  #fenced(shard: number, events: number, reason: string): void {
    this.stats.fenced += events;
    this.#o.logger.warn('events fenced: another host owns this shard now and receives them by replay', {
      shard,
      events,
      reason,
    });
  }

  /** Applies per-event results (verdict.ts): acks leave the spool, dead letters go to the sink, fenced events
   *  are dropped, the rest retry. */
  #finish(part: RequestPart, results: Map<string, EventResult>): Next {
    const { shard, entries, remainder } = part;
    const done: number[] = [];
    const acked: EventEnvelope[] = [];
    const handlerFailures = new Map(remainder?.handlerFailures ?? []);
    let fenced = 0;
    let fencedReason = '';
    let failed = 0;
    let worst = 0;
    let reason = '';
    for (const entry of entries) {
      const id = entry.event.id;
      const v = verdict(results.get(id), handlerFailures.get(id) ?? 0, this.#policy.maxAttempts);
      if (v.kind === 'fenced') {
        done.push(entry.pos);
        fenced++;
        fencedReason ||= v.reason;
        handlerFailures.delete(id);
        continue;
      }
      if (v.kind === 'ack' || (v.kind === 'dead-letter' && this.#deadLetter(entry.event, v.reason))) {
        done.push(entry.pos);
        if (v.kind === 'ack') acked.push(entry.event);
        handlerFailures.delete(id);
        continue;
      }
      // A retry, or a dead letter the sink could not take (it stays spooled and is tried again).
      failed++;
      reason ||= v.reason;
      if (v.kind === 'retry' && v.handlerFailures > 0) {
        handlerFailures.set(id, v.handlerFailures);
        worst = Math.max(worst, v.handlerFailures);
      }
    }
    this.#o.spool.ack(shard, done);
    this.stats.eventsAcked += acked.length;
    if (fenced > 0) this.#fenced(shard, fenced, fencedReason);
    if (acked.length > 0) this.#o.onAcked?.(shard, acked);
    if (failed === 0) return { kind: 'done', reason: `${acked.length} acknowledged` };
    // A handler failure sets the pace (handler backoff); failures the Worker did not explain (no result for
    // an event, a dead-letter sink that refused) back off like a whole-batch failure.
    const base = { through: entries.at(-1)!.pos, handlerFailures };
    if (worst > 0) {
      const delayMs = handlerRetryDelay(worst, this.#policy);
      const next = { ...base, batchFailures: 0 };
      return { kind: 'retry', remainder: next, delayMs, events: failed, reason, attempt: worst };
    }
    const batchFailures = (remainder?.batchFailures ?? 0) + 1;
    const delayMs = batchRetryDelay(batchFailures, this.#policy, this.#random);
    const next = { ...base, batchFailures };
    return { kind: 'retry', remainder: next, delayMs, events: failed, reason, attempt: batchFailures };
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

  #drained(): boolean {
    return this.#o.spool.depth().events === 0 && this.#requests === 0;
  }

  /** Resolves true once the spool is empty and nothing is in flight, false at the deadline. */
  drain(timeoutMs: number): Promise<boolean> {
    this.resume();
    if (this.#drained()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const finish = (ok: boolean) => {
        this.#idleWaiters.delete(check);
        timer.cancel();
        resolve(ok);
      };
      const check = () => {
        if (this.#drained()) finish(true);
      };
      const timer = this.#clock.setTimeout(() => finish(this.#drained()), timeoutMs);
      this.#idleWaiters.add(check);
    });
  }

  async close(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#pacer?.cancel();
    for (const s of this.#shards.values()) if (s.kind === 'backing-off') s.timer.cancel();
    for (const check of this.#idleWaiters) check();
    await this.#o.transport.close();
  }
}

/** A shard with nothing owed: not kept in the map (a host may run hundreds of shards). */
const IDLE: ShardDelivery = { kind: 'idle', remainder: null };

const count = (parts: readonly RequestPart[]) => parts.reduce((n, p) => n + p.entries.length, 0);

function allResults(entries: readonly SpoolEntry[], error: string): Map<string, EventResult> {
  return new Map(entries.map((e) => [e.event.id, { id: e.event.id, outcome: 'dead-letter', error }]));
}
