// Discord rate limits (Discord docs, Topics > Rate Limits): per-bucket limits learned from the
// X-RateLimit-* headers, one global per-second limit, and 429s handled by their scope. Requests that
// share a limiter key run one at a time, so the headers of one response decide when the next may go.
import { exemptFromGlobal, type RouteKey } from './routes.ts';

export interface LimitedResponse {
  status: number;
  header(name: string): string | null;
  body: string;
}

interface BucketState {
  remaining: number;
  resetAt: number;
  tail: Promise<unknown>;
}

export interface LimiterOptions {
  globalPerSecond: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  maxRetries?: number;
}

export interface LimiterStats {
  requests: number;
  ratelimited: { user: number; global: number; shared: number };
  buckets: number;
}

export class RateLimiter {
  readonly #routeToBucket = new Map<string, string>();
  readonly #buckets = new Map<string, BucketState>();
  readonly #globalSent: number[] = [];
  #globalPausedUntil = 0;
  readonly #opts: Required<LimiterOptions>;
  readonly stats: LimiterStats = { requests: 0, ratelimited: { user: 0, global: 0, shared: 0 }, buckets: 0 };

  constructor(options: LimiterOptions) {
    this.#opts = {
      now: () => Date.now(),
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      maxRetries: 3,
      ...options,
    };
  }

  #keyOf(key: RouteKey): string {
    return `${this.#routeToBucket.get(key.route) ?? key.route}:${key.major}`;
  }

  #bucket(id: string): BucketState {
    let state = this.#buckets.get(id);
    if (!state) {
      state = { remaining: 1, resetAt: 0, tail: Promise.resolve() };
      this.#buckets.set(id, state);
      this.stats.buckets = this.#buckets.size;
    }
    return state;
  }

  /** Runs `send` when the limits allow it; retries 429s after their retry_after. */
  schedule<R extends LimitedResponse>(key: RouteKey, path: string, send: () => Promise<R>): Promise<R> {
    const state = this.#bucket(this.#keyOf(key));
    const run = state.tail.then(() => this.#run(key, path, send));
    state.tail = run.catch(() => undefined);
    return run;
  }

  async #run<R extends LimitedResponse>(key: RouteKey, path: string, send: () => Promise<R>): Promise<R> {
    for (let attempt = 0; ; attempt++) {
      const state = this.#bucket(this.#keyOf(key));
      const now = this.#opts.now();
      if (state.remaining <= 0 && now < state.resetAt) await this.#opts.sleep(state.resetAt - now);
      if (!exemptFromGlobal(path)) await this.#waitGlobal();
      this.stats.requests++;
      const res = await send();
      this.#learn(key, res);
      if (res.status !== 429 || attempt >= this.#opts.maxRetries) return res;
      this.#on429(key, res);
    }
  }

  async #waitGlobal(): Promise<void> {
    for (;;) {
      const now = this.#opts.now();
      if (now < this.#globalPausedUntil) {
        await this.#opts.sleep(this.#globalPausedUntil - now);
        continue;
      }
      while (this.#globalSent.length > 0 && this.#globalSent[0]! <= now - 1000) this.#globalSent.shift();
      if (this.#globalSent.length < this.#opts.globalPerSecond) {
        this.#globalSent.push(now);
        return;
      }
      await this.#opts.sleep(this.#globalSent[0]! + 1000 - now);
    }
  }

  #learn(key: RouteKey, res: LimitedResponse): void {
    const hash = res.header('x-ratelimit-bucket');
    if (hash) this.#routeToBucket.set(key.route, hash);
    const remaining = res.header('x-ratelimit-remaining');
    // Reset-After is relative, so it is immune to clock skew between us and Discord; prefer it.
    const resetAfter = res.header('x-ratelimit-reset-after');
    if (remaining === null || resetAfter === null) return;
    const state = this.#bucket(this.#keyOf(key));
    state.remaining = Number(remaining);
    state.resetAt = this.#opts.now() + Number(resetAfter) * 1000;
  }

  #on429(key: RouteKey, res: LimitedResponse): void {
    const scope = (res.header('x-ratelimit-scope') ?? (res.header('x-ratelimit-global') ? 'global' : 'user')) as keyof LimiterStats['ratelimited'];
    if (scope in this.stats.ratelimited) this.stats.ratelimited[scope]++;
    let retryAfterMs = Number(res.header('retry-after') ?? '1') * 1000;
    try {
      const body = JSON.parse(res.body) as { retry_after?: number };
      if (typeof body.retry_after === 'number') retryAfterMs = body.retry_after * 1000;
    } catch {
      // Cloudflare-level 429s are HTML; Retry-After is all there is.
    }
    const until = this.#opts.now() + retryAfterMs;
    if (scope === 'global') this.#globalPausedUntil = until;
    else {
      const state = this.#bucket(this.#keyOf(key));
      state.remaining = 0;
      state.resetAt = until;
    }
  }
}
