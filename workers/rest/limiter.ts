// Discord rate limits (Discord docs, Topics > Rate Limits), composed: requests queue per limiter key in
// lanes (lanes.ts), each lane's Bucket decides when its next request may go, the GlobalGate holds the
// per-second limit (shared out by held.ts), and the InvalidRequestGuard refuses what would risk a ban.
// Requests of one key go in order; several may be in flight at once when the bucket has room for them.
// 429s are handled by scope and retried; every one is counted. This file is the scheduler: when to send,
// and what a response changes.
import type { GlobalTicket } from './global.ts';
import { GlobalGate } from './global.ts';
import { InvalidRequestGuard } from './guard.ts';
import { errorCode, parseRateLimitHeaders, retryAfterMs, scopeOf, type LimitedResponse } from './headers.ts';
import { byDrain, slotsHeld } from './held.ts';
import { LaneTable, type Lane, type Queued } from './lanes.ts';
import { exemptFromGlobal, routeKey, usesBotToken, webhookOf } from './routes.ts';
import { retryServerError, serverErrorBackoffMs } from './retry.ts';
import { ServerClock } from './server-clock.ts';
import type { Outcome, Refusal } from './types.ts';

export type { LimitedResponse } from './headers.ts';
export { parseRateLimitHeaders } from './headers.ts';
export type { Outcome } from './types.ts';

export interface LimiterOptions {
  globalPerSecond: number;
  invalidRequestLimit?: number;
  globalMarginMs?: number;
  maxRetries?: number;
  idleMs?: number;
  now?: () => number;
  /** Runs `fn` after `ms`; returns a cancel function. */
  setTimer?: (ms: number, fn: () => void) => () => void;
}

export interface LimiterStats {
  requests: number;
  ratelimited: { user: number; global: number; shared: number };
  /** 5xx answers to idempotent requests that were sent again. */
  serverErrorRetries: number;
  refused: Record<Refusal['code'], number>;
  buckets: number;
  queued: number;
}

const realTimer = (ms: number, fn: () => void): (() => void) => {
  const t = setTimeout(fn, Math.max(0, ms));
  return () => clearTimeout(t);
};

export class RateLimiter {
  readonly #lanes = new LaneTable();
  readonly #globalWaiting = new Set<Lane>();
  readonly #global: GlobalGate;
  readonly #serverClock = new ServerClock();
  readonly guard: InvalidRequestGuard;
  readonly #now: () => number;
  readonly #setTimer: (ms: number, fn: () => void) => () => void;
  readonly #maxRetries: number;
  readonly #idleMs: number;
  #globalWakeAt = Infinity;
  #cancelGlobalWake: (() => void) | undefined;
  #lastSweep = 0;
  /** Called when the guard's persistent state changed (to save it). */
  onGuardChange: (() => void) | undefined;
  readonly stats: LimiterStats = {
    requests: 0,
    ratelimited: { user: 0, global: 0, shared: 0 },
    serverErrorRetries: 0,
    refused: { rate_limited: 0, invalid_request_guard: 0, token_rejected: 0, webhook_gone: 0 },
    buckets: 0,
    queued: 0,
  };

  constructor(options: LimiterOptions) {
    this.#global = new GlobalGate(options.globalPerSecond, options.globalMarginMs ?? 5);
    this.guard = new InvalidRequestGuard(options.invalidRequestLimit ?? 2500);
    this.#now = options.now ?? (() => Date.now());
    this.#setTimer = options.setTimer ?? realTimer;
    this.#maxRetries = options.maxRetries ?? 3;
    this.#idleMs = options.idleMs ?? 60_000;
  }

  /** Runs `send` when the limits allow it, or refuses at once when they never will in time. */
  schedule(
    method: string,
    path: string,
    send: () => Promise<LimitedResponse>,
    opts: { maxWaitMs?: number } = {},
  ): Promise<Outcome<LimitedResponse>> {
    const now = this.#now();
    this.#sweep(now);
    const { route, major } = routeKey(method, path, now);
    const refusal = this.guard.check(now, { usesBotToken: usesBotToken(path), webhook: webhookOf(path) });
    if (refusal) return Promise.resolve(this.#refuse(refusal));
    const lane = this.#lanes.lane(route, major);
    this.stats.buckets = this.#lanes.size;
    if (opts.maxWaitMs !== undefined) {
      const predicted = this.#predict(lane, path, now, lane.queue.length);
      if (predicted > opts.maxWaitMs) return Promise.resolve(this.#refuse(this.#tooLong(predicted, opts.maxWaitMs)));
    }
    return new Promise((resolve, reject) => {
      const item: Queued = {
        lane,
        method: method.toUpperCase(),
        route,
        major,
        path,
        attempt: 0,
        serverRetries: 0,
        send,
        settle: resolve,
        fail: reject,
        cancelDeadline: undefined,
      };
      if (opts.maxWaitMs !== undefined) {
        const maxWaitMs = opts.maxWaitMs;
        item.cancelDeadline = this.#setTimer(maxWaitMs, () => {
          const current = item.lane;
          const at = current.queue.indexOf(item);
          if (at < 0) return;
          current.queue.splice(at, 1);
          this.stats.queued--;
          resolve(this.#refuse(this.#tooLong(this.#predict(current, path, this.#now(), at), maxWaitMs)));
        });
      }
      lane.queue.push(item);
      this.stats.queued++;
      this.#pump(lane);
    });
  }

  #tooLong(predictedMs: number, maxWaitMs: number): Refusal {
    return {
      code: 'rate_limited',
      retryAfterMs: Math.ceil(predictedMs),
      message: `rate limited: the predicted wait of ${Math.ceil(predictedMs)} ms exceeds the caller's limit of ${maxWaitMs} ms; retry after the wait or allow a longer one`,
    };
  }

  #refuse(refusal: Refusal): Outcome<LimitedResponse> {
    this.stats.refused[refusal.code]++;
    return { kind: 'refused', refusal };
  }

  #predict(lane: Lane, path: string, now: number, position: number): number {
    const bucketWait = lane.bucket.predictMs(now, position);
    if (exemptFromGlobal(path)) return bucketWait;
    let ahead = 0;
    for (const l of this.#globalWaiting) ahead += l.queue.length;
    return Math.max(bucketWait, this.#global.predictMs(now, ahead));
  }

  /** Sends every queued request of `lane` the limits allow now; arranges to be called again otherwise. */
  #pump(lane: Lane): void {
    const now = this.#now();
    while (lane.queue.length > 0) {
      const item = lane.queue[0]!;
      const bucketWait = lane.bucket.waitMs(now);
      if (bucketWait > 0) {
        if (bucketWait !== Infinity) this.#wakeLane(lane, now + bucketWait);
        return;
      }
      let ticket: GlobalTicket | undefined;
      if (!exemptFromGlobal(item.path)) {
        const globalWait =
          this.#global.waitMs(now) || (slotsHeld(lane, this.#lanes.values(), this.#global, now) ? Infinity : 0);
        if (globalWait > 0) {
          this.#globalWaiting.add(lane);
          if (globalWait !== Infinity) this.#wakeGlobal(now + globalWait);
          return;
        }
        ticket = this.#global.take(now);
      }
      lane.queue.shift();
      this.stats.queued--;
      item.cancelDeadline?.();
      // Checked again at send time: requests queued together must not pass the threshold together.
      const refusal = this.guard.check(now, { usesBotToken: usesBotToken(item.path), webhook: webhookOf(item.path) });
      if (refusal) {
        ticket?.done(now);
        item.settle(this.#refuse(refusal));
        continue;
      }
      this.#dispatch(lane, item, ticket, now);
    }
    this.#globalWaiting.delete(lane);
  }

  #wakeLane(lane: Lane, at: number): void {
    if (lane.wakeAt <= at && lane.cancelWake) return;
    lane.cancelWake?.();
    lane.wakeAt = at;
    lane.cancelWake = this.#setTimer(at - this.#now(), () => {
      lane.cancelWake = undefined;
      lane.wakeAt = Infinity;
      this.#pump(lane);
      // Slots this lane held back may now go to others.
      this.#pumpGlobal();
    });
  }

  #wakeGlobal(at: number): void {
    if (this.#globalWakeAt <= at && this.#cancelGlobalWake) return;
    this.#cancelGlobalWake?.();
    this.#globalWakeAt = at;
    this.#cancelGlobalWake = this.#setTimer(at - this.#now(), () => {
      this.#cancelGlobalWake = undefined;
      this.#globalWakeAt = Infinity;
      this.#pumpGlobal();
    });
  }

  /** Global slots freed: the lanes with the longest predicted drain time go first. */
  #pumpGlobal(): void {
    if (this.#globalWaiting.size === 0) return;
    const lanes = byDrain(this.#globalWaiting, this.#now());
    this.#globalWaiting.clear();
    for (const lane of lanes) this.#pump(lane);
  }

  #dispatch(lane: Lane, item: Queued, ticket: GlobalTicket | undefined, now: number): void {
    lane.bucket.onSend(now);
    lane.inFlight.add(item);
    this.guard.sent();
    this.stats.requests++;
    item.send().then(
      (res) => this.#answered(item, ticket, res),
      (err: unknown) => {
        const at = this.#now();
        ticket?.done(at);
        this.guard.failed();
        const current = item.lane;
        current.inFlight.delete(item);
        current.bucket.onResponse(at, false, undefined);
        this.#pump(current);
        this.#pumpGlobal();
        item.fail(err);
      },
    );
  }

  #answered(item: Queued, ticket: GlobalTicket | undefined, res: LimitedResponse): void {
    const now = this.#now();
    const headers = parseRateLimitHeaders(res);
    // The server's answer on our clock: no later than now, sooner when recent responses show it (server-clock.ts).
    let answeredAt = now;
    if (headers?.serverNowMs !== undefined) {
      this.#serverClock.observe(now, headers.serverNowMs);
      answeredAt = this.#serverClock.toLocal(headers.serverNowMs, now, now);
    }
    ticket?.done(answeredAt);
    const hash = res.header('x-ratelimit-bucket');
    if (hash) this.#learnHash(item.route, hash);
    const lane = item.lane;
    lane.inFlight.delete(item);
    const resetAt =
      headers === undefined
        ? now
        : headers.resetEpochMs === undefined
          ? now + headers.resetAfterMs
          : this.#serverClock.toLocal(headers.resetEpochMs, now + headers.resetAfterMs, now);
    lane.bucket.onResponse(now, res.status < 400, headers, resetAt);
    this.#lanes.remember(lane);
    const scope = scopeOf(res);
    const webhook = webhookOf(item.path);
    if (
      this.guard.answered(now, res.status, {
        scope,
        usesBotToken: usesBotToken(item.path),
        webhook,
        code: res.status === 404 ? errorCode(res) : undefined,
      })
    ) {
      this.onGuardChange?.();
    }
    let retry = false;
    if (scope !== null) {
      if (scope === 'global' || scope === 'user' || scope === 'shared') this.stats.ratelimited[scope]++;
      const wait = retryAfterMs(res);
      // Discord docs, Rate Limits > Exceeding A Rate Limit: a global 429 stops every request for retry_after;
      // user and shared ones stop this bucket (shared limits are on the resource and not counted against us).
      if (scope === 'global') this.#global.pause(now + wait);
      else lane.bucket.pause(now, wait, scope === 'shared' ? 'shared' : 'user');
      retry = item.attempt < this.#maxRetries;
    }
    if (retryServerError(item.method, res.status, item.serverRetries)) {
      // Sent again after a backoff, behind nothing: the rate limits still decide when (retry.ts).
      this.stats.serverErrorRetries++;
      this.#setTimer(serverErrorBackoffMs(item.serverRetries++), () => {
        item.lane.queue.unshift(item);
        this.stats.queued++;
        this.#pump(item.lane);
      });
    } else if (retry) {
      item.attempt++;
      lane.queue.unshift(item);
      this.stats.queued++;
      if (scope === 'global') this.#wakeGlobal(now + retryAfterMs(res));
    } else {
      item.settle({ kind: 'response', response: res });
    }
    this.#pump(lane);
    this.#pumpGlobal();
  }

  #learnHash(route: string, hash: string): void {
    const { merged, targets } = this.#lanes.learn(route, hash);
    for (const lane of merged) this.#globalWaiting.delete(lane);
    for (const lane of targets) this.#pump(lane);
    this.stats.buckets = this.#lanes.size;
  }

  #sweep(now: number): void {
    if (now - this.#lastSweep < this.#idleMs) return;
    this.#lastSweep = now;
    this.#lanes.sweep(now, this.#idleMs);
    this.stats.buckets = this.#lanes.size;
  }

  globalInUse(): number {
    return this.#global.inUse(this.#now());
  }
}
