// Reads the spool per shard, in order, and sends signed batches to the Worker's /events. One batch per
// shard in flight keeps a shard's events in order; at most maxInFlight shards send at once. An event
// leaves the spool only when the Worker acknowledged it, it was dead-lettered, or its shard was fenced.
// After a failure the shard re-sends only the failed remainder of that batch before anything newer.
// Each shard's state is one ShardDelivery (state.ts), changed only in #transition; time comes from the
// injected Clock and the Worker is reached through the injected BatchTransport.
import type { BatchResponse, EventEnvelope, EventResult } from '../../protocol/index.ts';
import { systemClock, type Clock } from '../gateway/clock.ts';
import type { Logger } from '../log.ts';
import type { Spool, SpoolEntry } from '../spool/types.ts';
import { batchBody } from './batch.ts';
import { classifyResponse } from './outcome.ts';
import { batchRetryDelay, DEFAULT_RETRY_POLICY, handlerRetryDelay, type RetryPolicy } from './retry-policy.ts';
import { noRemainder, type Remainder, type ShardDelivery } from './state.ts';
import type { BatchTransport } from './transport.ts';
import { verdict } from './verdict.ts';

export interface ForwarderOptions {
  transport: BatchTransport;
  hostId: string;
  spool: Spool;
  logger: Logger;
  maxEvents: number;
  maxBytes: number;
  lingerMs: number;
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

export interface BatchSent {
  shard: number;
  events: number;
  bytes: number;
  /** HTTP status, or null when no response came back. */
  status: number | null;
  latencyMs: number;
}

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

/** What a finished send leads to; #settle turns it into the shard's next state. */
type Next = (
  | { kind: 'done'; reason: string }
  | { kind: 'retry'; remainder: Remainder; delayMs: number; events: number; reason: string; attempt: number }
) & {
  /** A lowered batch size after a 413. */
  maxEvents?: number;
};

export class Forwarder {
  readonly #o: ForwarderOptions;
  readonly #clock: Clock;
  readonly #policy: RetryPolicy;
  readonly #maxInFlight: number;
  readonly #random: () => number;
  readonly #epoch: (shard: number) => number;
  readonly #shards = new Map<number, ShardDelivery>();
  #tickets = 0;
  #stopped = false;
  /** drain() callers, checked after every transition. */
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
    this.#policy = {
      maxAttempts: options.maxAttempts ?? DEFAULT_RETRY_POLICY.maxAttempts,
      batch: options.retryPolicy?.batch ?? DEFAULT_RETRY_POLICY.batch,
      handler: options.retryPolicy?.handler ?? DEFAULT_RETRY_POLICY.handler,
    };
  }

  /** Call after appending to the spool. */
  notify(shard: number): void {
    this.#advance(shard, 'new events');
  }

  /** Sends whatever the spool holds from an earlier run. */
  resume(): void {
    for (const shard of this.#o.spool.shards()) this.#advance(shard, 'resume');
  }

  /** The shard's current phase (for tests and health output). */
  phase(shard: number): ShardDelivery['kind'] {
    return this.#state(shard).kind;
  }

  #state(shard: number): ShardDelivery {
    return this.#shards.get(shard) ?? { kind: 'idle', maxEvents: this.#o.maxEvents };
  }

  /** The only writer of a shard's state. Leaving a phase cancels its timer. */
  #transition(shard: number, to: ShardDelivery, reason: string): void {
    const from = this.#state(shard);
    if (from.kind === 'lingering' || from.kind === 'backing-off') from.timer.cancel();
    this.#shards.set(shard, to);
    this.#o.logger.debug(`shard ${shard}: ${from.kind} → ${to.kind} (${reason})`, {
      shard,
      from: from.kind,
      to: to.kind,
      reason,
    });
    if (to.kind === 'idle' || from.kind === 'in-flight') for (const check of this.#idleWaiters) check();
  }

  #inFlight(): number {
    let n = 0;
    for (const s of this.#shards.values()) if (s.kind === 'in-flight') n++;
    return n;
  }

  /** Decides what the shard does next from its state and the spool: the step every event leads to. */
  #advance(shard: number, why: string, slotFree = false): void {
    if (this.#stopped) return;
    const state = this.#state(shard);
    // A batch in flight or a place in the queue: the end of the batch or a free slot moves the shard on.
    if (state.kind === 'in-flight' || (state.kind === 'queued' && !slotFree)) return;
    const now = this.#clock.now();
    if (state.kind === 'backing-off' && now < state.until) return;
    // Lingering and still short of a full batch: nothing to decide. Checked on the spool's running totals,
    // so an event arriving while its batch fills costs O(1), not a scan of the batch (bench/RESULTS.md).
    if (state.kind === 'lingering' && now < state.until) {
      const depth = this.#o.spool.depth(shard);
      if (depth.events < state.maxEvents && depth.bytes < this.#o.maxBytes) return;
    }
    const remainder = state.kind === 'backing-off' || state.kind === 'queued' ? state.remainder : null;
    const entries = this.#o.spool.pending(shard, state.maxEvents, this.#o.maxBytes, remainder?.through);
    const first = entries[0];
    if (!first) {
      // The failed remainder left the spool another way (dropped past the size cap): newer events go on.
      if (remainder) {
        this.#transition(shard, { kind: 'idle', maxEvents: state.maxEvents }, 'failed remainder no longer spooled');
        return this.#advance(shard, why);
      }
      if (state.kind !== 'idle') this.#transition(shard, { kind: 'idle', maxEvents: state.maxEvents }, 'spool empty');
      return;
    }
    // A retry goes at once (its delay was the backoff); a fresh batch may wait to fill up.
    const bytes = entries.reduce((n, e) => n + e.json.length, 0);
    const full = remainder !== null || entries.length >= state.maxEvents || bytes >= this.#o.maxBytes;
    const age = now - first.event.receivedAt;
    if (!full && age < this.#o.lingerMs) {
      if (state.kind === 'lingering') return;
      const wait = this.#o.lingerMs - age;
      const timer = this.#clock.setTimeout(() => this.#advance(shard, 'linger over'), wait);
      return this.#transition(shard, { kind: 'lingering', maxEvents: state.maxEvents, until: now + wait, timer }, why);
    }
    if (this.#inFlight() >= this.#maxInFlight) {
      const queued = { kind: 'queued', maxEvents: state.maxEvents, ticket: this.#tickets++, remainder } as const;
      return this.#transition(shard, queued, `${why}; ${this.#maxInFlight} shards already sending`);
    }
    this.#transition(
      shard,
      { kind: 'in-flight', maxEvents: state.maxEvents, since: now, events: entries.length, remainder },
      remainder ? `retry of ${entries.length} events` : `batch of ${entries.length} events`,
    );
    void this.#send(shard, entries, remainder);
  }

  /** Gives free slots to queued shards, oldest ticket first. */
  #startQueued(): void {
    while (!this.#stopped && this.#inFlight() < this.#maxInFlight) {
      let next: { shard: number; ticket: number } | undefined;
      for (const [shard, s] of this.#shards)
        if (s.kind === 'queued' && (!next || s.ticket < next.ticket)) next = { shard, ticket: s.ticket };
      if (!next) return;
      this.#advance(next.shard, 'a sending slot is free', true);
    }
  }

  async #send(shard: number, entries: SpoolEntry[], remainder: Remainder | null): Promise<void> {
    let next: Next;
    try {
      next = await this.#deliver(shard, entries, remainder);
    } catch (err) {
      // A throwing hook (onAcked, onBatch) must not wedge the shard in flight.
      this.#o.logger.error('forwarder step failed; the batch will be retried', { shard, error: err });
      next = this.#wholeBatchRetry(entries, remainder, `internal error: ${(err as Error).message}`);
    }
    this.#settle(shard, next);
  }

  #settle(shard: number, next: Next): void {
    const state = this.#state(shard);
    if (this.#stopped || state.kind !== 'in-flight') return;
    const maxEvents = next.maxEvents ?? state.maxEvents;
    if (next.kind === 'done') {
      this.#transition(shard, { kind: 'idle', maxEvents }, next.reason);
    } else {
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
      const until = this.#clock.now() + next.delayMs;
      const timer = this.#clock.setTimeout(() => this.#advance(shard, 'backoff over'), next.delayMs);
      this.#transition(shard, { kind: 'backing-off', maxEvents, until, timer, remainder: next.remainder }, next.reason);
    }
    this.#advance(shard, 'batch settled');
    this.#startQueued();
  }

  async #deliver(shard: number, entries: SpoolEntry[], remainder: Remainder | null): Promise<Next> {
    const body = batchBody(this.#o.hostId, this.#epoch(shard), entries);
    try {
      // Nothing leaves the host before it is as durable as the spool promises.
      await this.#o.spool.sync();
    } catch (err) {
      this.#o.logger.error('spool sync failed; batch held back', { shard, error: err });
      return this.#wholeBatchRetry(entries, remainder, `spool sync failed: ${(err as Error).message}`);
    }
    const started = this.#clock.now();
    const reply = await this.#o.transport.send(body);
    const latencyMs = this.#clock.now() - started;
    const status = reply.kind === 'answer' ? reply.status : null;
    if (reply.kind === 'answer') {
      this.stats.batchesSent++;
      this.stats.lastLatencyMs = latencyMs;
    }
    this.#o.onBatch?.({ shard, events: entries.length, bytes: body.length, status, latencyMs });
    if (reply.kind === 'unreachable')
      return this.#wholeBatchRetry(
        entries,
        remainder,
        `cannot reach the Worker at ${this.#o.transport.target}: ${reply.error}`,
      );

    const outcome = classifyResponse(reply.status, reply.retryAfter, reply.text);
    switch (outcome.kind) {
      case 'retry':
        return this.#wholeBatchRetry(entries, remainder, outcome.reason, outcome.retryAfterMs);
      case 'split': {
        // Halve the batch size for this shard from now on; a single event too large is dead-lettered.
        const maxEvents = Math.max(1, Math.floor(entries.length / 2));
        if (entries.length === 1)
          return { ...this.#finish(shard, entries, remainder, allResults(entries, outcome.reason)), maxEvents };
        const next = { ...(remainder ?? noRemainder(0)), through: entries.at(-1)!.pos };
        const events = entries.length;
        return { kind: 'retry', remainder: next, delayMs: 0, events, reason: outcome.reason, attempt: 1, maxEvents };
      }
      case 'dead-letter':
        return this.#finish(shard, entries, remainder, allResults(entries, outcome.reason));
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
        return { kind: 'done', reason: 'fenced' };
      case 'per-event': {
        let parsed: BatchResponse;
        try {
          parsed = JSON.parse(reply.text) as BatchResponse;
          if (!Array.isArray(parsed.results)) throw new Error('no results array');
        } catch (err) {
          return this.#wholeBatchRetry(
            entries,
            remainder,
            `Worker answered 200 with an unreadable body: ${(err as Error).message}`,
          );
        }
        return this.#finish(shard, entries, remainder, new Map(parsed.results.map((r) => [r.id, r])));
      }
    }
  }

  /** The whole batch failed without a word about its events: capped backoff, never a dead letter. */
  #wholeBatchRetry(entries: SpoolEntry[], remainder: Remainder | null, reason: string, retryAfterMs?: number): Next {
    const base = remainder ?? noRemainder(0);
    const batchFailures = base.batchFailures + 1;
    const delayMs = retryAfterMs ?? batchRetryDelay(batchFailures, this.#policy, this.#random);
    const next = { ...base, through: entries.at(-1)!.pos, batchFailures };
    return { kind: 'retry', remainder: next, delayMs, events: entries.length, reason, attempt: batchFailures };
  }

  /** Applies per-event results (verdict.ts): acks leave the spool, dead letters go to the sink, the rest retry. */
  #finish(shard: number, entries: SpoolEntry[], remainder: Remainder | null, results: Map<string, EventResult>): Next {
    const done: number[] = [];
    const acked: EventEnvelope[] = [];
    const handlerFailures = new Map(remainder?.handlerFailures ?? []);
    let failed = 0;
    let worst = 0;
    let reason = '';
    for (const entry of entries) {
      const id = entry.event.id;
      const v = verdict(results.get(id), handlerFailures.get(id) ?? 0, this.#policy.maxAttempts);
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
    if (acked.length > 0) this.#o.onAcked?.(shard, acked);
    if (failed === 0) return { kind: 'done', reason: `${acked.length} acknowledged` };
    // A handler failure sets the pace (handler backoff); failures the Worker did not explain (no result for
    // an event, a dead-letter sink that refused) back off like a whole-batch failure.
    const base = { through: entries.at(-1)!.pos, handlerFailures };
    if (worst > 0) {
      const delayMs = handlerRetryDelay(worst, this.#policy);
      return {
        kind: 'retry',
        remainder: { ...base, batchFailures: 0 },
        delayMs,
        events: failed,
        reason,
        attempt: worst,
      };
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
    if (this.#o.spool.depth().events > 0) return false;
    for (const s of this.#shards.values()) if (s.kind === 'in-flight') return false;
    return true;
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
    for (const s of this.#shards.values()) if (s.kind === 'lingering' || s.kind === 'backing-off') s.timer.cancel();
    for (const check of this.#idleWaiters) check();
    await this.#o.transport.close();
  }
}

function allResults(entries: readonly SpoolEntry[], error: string): Map<string, EventResult> {
  return new Map(entries.map((e) => [e.event.id, { id: e.event.id, outcome: 'dead-letter', error }]));
}
