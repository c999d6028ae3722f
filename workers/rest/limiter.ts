// Discord rate limits (Discord docs, Topics > Rate Limits), composed: requests queue per limiter key
// (bucket hash + major parameter, see routes.ts), each key's Bucket decides when its next request may go,
// the GlobalGate holds the per-second limit, and the InvalidRequestGuard refuses what would risk a ban.
// Requests of one key go in order; several may be in flight at once when the bucket has room for them.
// When global slots are scarce, the key with the longest backlog goes first (its queue decides when the
// burst ends). 429s are handled by scope and retried; every one is counted.
import { Bucket, type RateLimitHeaders } from './bucket.ts';
import { GlobalGate, type GlobalTicket } from './global.ts';
import { InvalidRequestGuard } from './guard.ts';
import { exemptFromGlobal, routeKey, usesBotToken, webhookOf } from './routes.ts';
import type { Refusal } from './types.ts';

export interface LimitedResponse {
  status: number;
  header(name: string): string | null;
  body: string;
}

export type Outcome<R> = { kind: 'response'; response: R } | { kind: 'refused'; refusal: Refusal };

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
  refused: Record<Refusal['code'], number>;
  buckets: number;
  queued: number;
}

interface Item {
  /** The lane the item is queued in or in flight on; moved when lanes merge. */
  lane: Lane;
  route: string;
  major: string;
  path: string;
  attempt: number;
  send: () => Promise<LimitedResponse>;
  settle: (outcome: Outcome<LimitedResponse>) => void;
  fail: (err: unknown) => void;
  cancelDeadline: (() => void) | undefined;
}

interface Lane {
  id: string;
  route: string;
  major: string;
  /** Keyed by the route template until the route's bucket hash is known. */
  hashed: boolean;
  inFlight: Set<Item>;
  bucket: Bucket;
  queue: Item[];
  cancelWake: (() => void) | undefined;
  wakeAt: number;
}

const realTimer = (ms: number, fn: () => void): (() => void) => {
  const t = setTimeout(fn, Math.max(0, ms));
  return () => clearTimeout(t);
};

export function parseRateLimitHeaders(res: LimitedResponse): RateLimitHeaders | undefined {
  const remaining = res.header('x-ratelimit-remaining');
  const resetAfter = res.header('x-ratelimit-reset-after');
  if (remaining === null || resetAfter === null) return undefined;
  const reset = res.header('x-ratelimit-reset');
  return {
    limit: Number(res.header('x-ratelimit-limit') ?? remaining) || 1,
    remaining: Number(remaining),
    resetAfterMs: Math.ceil(Number(resetAfter) * 1000),
    resetEpochMs: reset === null ? undefined : Math.round(Number(reset) * 1000),
  };
}

function retryAfterMs(res: LimitedResponse): number {
  try {
    const body = JSON.parse(res.body) as { retry_after?: unknown };
    if (typeof body.retry_after === 'number') return Math.ceil(body.retry_after * 1000);
  } catch {
    // Cloudflare-level 429s are HTML; Retry-After is all there is.
  }
  return Number(res.header('retry-after') ?? '1') * 1000;
}

function errorCode(res: LimitedResponse): number | undefined {
  try {
    const code = (JSON.parse(res.body) as { code?: unknown }).code;
    return typeof code === 'number' ? code : undefined;
  } catch {
    return undefined;
  }
}

export class RateLimiter {
  readonly #routeHash = new Map<string, string>();
  readonly #lanes = new Map<string, Lane>();
  readonly #globalWaiting = new Set<Lane>();
  /** Lanes waiting for their bucket to reset (a wake-up is set). */
  readonly #sleeping = new Set<Lane>();
  readonly #global: GlobalGate;
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
    refused: { rate_limited: 0, invalid_request_guard: 0, token_rejected: 0, webhook_gone: 0 },
    buckets: 0,
    queued: 0,
  };

  constructor(options: LimiterOptions) {
    this.#global = new GlobalGate(options.globalPerSecond, options.globalMarginMs ?? 20);
    this.guard = new InvalidRequestGuard(options.invalidRequestLimit ?? 2500);
    this.#now = options.now ?? (() => Date.now());
    this.#setTimer = options.setTimer ?? realTimer;
    this.#maxRetries = options.maxRetries ?? 3;
    this.#idleMs = options.idleMs ?? 60_000;
  }

  #laneId(route: string, major: string): string {
    return `${this.#routeHash.get(route) ?? route}:${major}`;
  }

  #lane(route: string, major: string): Lane {
    const id = this.#laneId(route, major);
    let lane = this.#lanes.get(id);
    if (!lane) {
      lane = { id, route, major, hashed: this.#routeHash.has(route), inFlight: new Set(), bucket: new Bucket(), queue: [], cancelWake: undefined, wakeAt: Infinity };
      this.#lanes.set(id, lane);
      this.stats.buckets = this.#lanes.size;
    }
    return lane;
  }

  /** Runs `send` when the limits allow it, or refuses at once when they never will in time. */
  schedule(method: string, path: string, send: () => Promise<LimitedResponse>, opts: { maxWaitMs?: number } = {}): Promise<Outcome<LimitedResponse>> {
    const now = this.#now();
    this.#sweep(now);
    const { route, major } = routeKey(method, path, now);
    const refusal = this.guard.check(now, { usesBotToken: usesBotToken(path), webhook: webhookOf(path) });
    if (refusal) return Promise.resolve(this.#refuse(refusal));
    const lane = this.#lane(route, major);
    if (opts.maxWaitMs !== undefined) {
      const predicted = this.#predict(lane, path, now, lane.queue.length);
      if (predicted > opts.maxWaitMs) return Promise.resolve(this.#refuse(this.#tooLong(predicted, opts.maxWaitMs)));
    }
    return new Promise((resolve, reject) => {
      const item: Item = { lane, route, major, path, attempt: 0, send, settle: resolve, fail: reject, cancelDeadline: undefined };
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
        const globalWait = this.#global.waitMs(now) || (this.#held(lane, now) ? Infinity : 0);
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

  /**
   * Whether the free global slots are spoken for: lanes with a longer backlog that will be ready within the
   * second (their bucket resets) keep a window's worth of slots, so a crowd of short lanes cannot take every
   * slot the moment they free and leave the critical lane waiting a whole second for the next ones.
   */
  #held(lane: Lane, now: number): boolean {
    const priority = lane.bucket.predictMs(now, lane.queue.length);
    const critical: { at: number; lane: Lane }[] = [];
    for (const other of this.#lanes.values()) {
      if (other === lane || other.queue.length === 0 || exemptFromGlobal(other.queue[0]!.path)) continue;
      const wait = other.bucket.waitMs(now);
      // Waiting on a response: ready again about one window from now.
      const at = now + (wait === Infinity ? other.bucket.windowMs || 1000 : wait);
      if (at - now > 1000 || other.bucket.predictMs(now, other.queue.length) <= priority) continue;
      critical.push({ at, lane: other });
    }
    critical.sort((a, b) => a.at - b.at);
    let needed = 0;
    for (const { at, lane: other } of critical) {
      // Every window of that lane that starts within the second needs its slots too.
      const windows = other.bucket.windowMs > 0 ? 1 + Math.floor((now + 1000 - at) / other.bucket.windowMs) : 1;
      needed += Math.min(other.queue.length, other.bucket.limit * Math.max(1, windows));
      // Taking a slot now must leave enough free when that lane is ready (slots released by then count).
      if (this.#global.freeAt(at) - 1 < needed) return true;
    }
    return false;
  }

  #wakeLane(lane: Lane, at: number): void {
    if (lane.wakeAt <= at && lane.cancelWake) return;
    lane.cancelWake?.();
    lane.wakeAt = at;
    this.#sleeping.add(lane);
    lane.cancelWake = this.#setTimer(at - this.#now(), () => {
      lane.cancelWake = undefined;
      lane.wakeAt = Infinity;
      this.#sleeping.delete(lane);
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
    const now = this.#now();
    const lanes = [...this.#globalWaiting].sort((a, b) => b.bucket.predictMs(now, b.queue.length) - a.bucket.predictMs(now, a.queue.length));
    this.#globalWaiting.clear();
    for (const lane of lanes) this.#pump(lane);
  }

  #dispatch(lane: Lane, item: Item, ticket: GlobalTicket | undefined, now: number): void {
    lane.bucket.onSend(now);
    lane.inFlight.add(item);
    this.guard.sent();
    this.stats.requests++;
    item.send().then(
      (res) => this.#answered(item, ticket, res),
      (err: unknown) => {
        ticket?.done(this.#now());
        this.guard.failed();
        const current = item.lane;
        current.inFlight.delete(item);
        current.bucket.onResponse(this.#now(), false, undefined);
        this.#pump(current);
        this.#pumpGlobal();
        item.fail(err);
      },
    );
  }

  #answered(item: Item, ticket: GlobalTicket | undefined, res: LimitedResponse): void {
    const now = this.#now();
    ticket?.done(now);
    const hash = res.header('x-ratelimit-bucket');
    if (hash) this.#learnHash(item.route, hash);
    const lane = item.lane;
    lane.inFlight.delete(item);
    lane.bucket.onResponse(now, res.status < 400, parseRateLimitHeaders(res));
    const scope = res.status === 429 ? (res.header('x-ratelimit-scope') ?? (res.header('x-ratelimit-global') ? 'global' : 'user')) : null;
    const webhook = webhookOf(item.path);
    if (this.guard.answered(now, res.status, { scope, usesBotToken: usesBotToken(item.path), webhook, code: res.status === 404 ? errorCode(res) : undefined })) {
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
    if (retry) {
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

  /**
   * The first response of a route names its bucket: every lane of the route (one per major parameter) moves
   * to its bucket's key, joining the lane already there when another route shares the bucket.
   */
  #learnHash(route: string, hash: string): void {
    if (this.#routeHash.get(route) === hash) return;
    this.#routeHash.set(route, hash);
    for (const lane of [...this.#lanes.values()]) {
      if (lane.route !== route || lane.hashed) continue;
      this.#lanes.delete(lane.id);
      lane.hashed = true;
      const id = `${hash}:${lane.major}`;
      const target = this.#lanes.get(id);
      if (!target) {
        lane.id = id;
        this.#lanes.set(id, lane);
        continue;
      }
      // Another route already uses this bucket: its lane takes over our queue and requests in flight, and
      // counts them as spent in the current window (they may land in it).
      lane.cancelWake?.();
      this.#sleeping.delete(lane);
      this.#globalWaiting.delete(lane);
      for (const item of lane.queue) item.lane = target;
      target.queue.push(...lane.queue);
      for (const item of lane.inFlight) {
        item.lane = target;
        target.inFlight.add(item);
      }
      target.bucket.inFlight += lane.bucket.inFlight;
      target.bucket.remaining = Math.max(0, target.bucket.remaining - lane.bucket.inFlight);
      this.#pump(target);
    }
    this.stats.buckets = this.#lanes.size;
  }

  #sweep(now: number): void {
    if (now - this.#lastSweep < this.#idleMs) return;
    this.#lastSweep = now;
    for (const [id, lane] of this.#lanes) {
      if (lane.queue.length === 0 && lane.bucket.idle(now, this.#idleMs)) {
        lane.cancelWake?.();
        this.#sleeping.delete(lane);
        this.#lanes.delete(id);
      }
    }
    this.stats.buckets = this.#lanes.size;
  }

  globalInUse(): number {
    return this.#global.inUse(this.#now());
  }
}
