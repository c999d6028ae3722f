// REST rate limits as Discord documents them (Discord docs, Topics > Rate Limits): per-route buckets keyed by
// the route's bucket hash plus its major parameter (channel_id, guild_id, webhook_id), a global limit per
// token per second, and the X-RateLimit-* headers on every response. Buckets are fixed windows that start
// with the first request, which is what the headers describe (Reset / Reset-After count down to one moment).
// The global limit is checked over a sliding second: Discord does not say how it counts, and a client that
// never trips a sliding window never trips any fixed one, so zero global 429s here means the limit was kept
// in every 1-second interval.
import { createHash } from 'node:crypto';
import type { RateLimitScope } from '../counters.ts';

export interface BucketSpec {
  /** Route template, e.g. 'POST /channels/:channel_id/messages'; its hash is the X-RateLimit-Bucket. */
  route: string;
  limit: number;
  windowMs: number;
  /** Top-level resource that splits the bucket; limits for /channels/1 and /channels/2 are separate. */
  major?: 'channel_id' | 'guild_id' | 'webhook_id' | 'interaction_id';
  /** 'shared' for limits on a resource shared with other users (X-RateLimit-Scope: shared). */
  scope?: 'user' | 'shared';
  /** false for routes not bound to the bot's global limit (interaction callbacks, webhooks with a token). */
  global?: boolean;
  /**
   * A limit on the resource itself, shared with every other user of it and so invisible in our headers
   * (e.g. renaming a channel twice per 10 minutes): past it the answer is a 429 of scope shared.
   */
  shared?: { limit: number; windowMs: number };
}

export type LimitDecision =
  | { allowed: true; headers: Record<string, string> }
  | { allowed: false; scope: RateLimitScope; retryAfter: number; headers: Record<string, string> };

interface Window {
  resetAt: number;
  used: number;
}

const secs = (ms: number): string => (ms / 1000).toFixed(3);

export function bucketHash(route: string): string {
  return createHash('sha1').update(route).digest('hex').slice(0, 16);
}

export class RateLimiter {
  readonly #globalLimit: number;
  readonly #now: () => number;
  readonly #buckets = new Map<string, Window>();
  readonly #global = new Map<string, number[]>();
  readonly #shared = new Map<string, Window>();
  readonly #hashes = new Map<string, string>();

  constructor(globalLimit: number, now: () => number = Date.now) {
    this.#globalLimit = globalLimit;
    this.#now = now;
  }

  /** Counts one request by `token` against the global limit and then the route's bucket. */
  check(token: string, spec: BucketSpec, params: Record<string, string>): LimitDecision {
    const now = this.#now();
    // Discord docs, Rate Limits > Global Rate Limit: 50 requests per second per bot, across all routes;
    // interaction endpoints are not bound to it.
    if (spec.global !== false) {
      let sent = this.#global.get(token);
      if (!sent) this.#global.set(token, (sent = []));
      while (sent.length > 0 && sent[0]! <= now - 1000) sent.shift();
      if (sent.length >= this.#globalLimit) {
        const retryAfter = (sent[0]! + 1000 - now) / 1000;
        return {
          allowed: false,
          scope: 'global',
          retryAfter,
          headers: {
            'Retry-After': String(Math.max(1, Math.ceil(retryAfter))),
            'X-RateLimit-Global': 'true',
            'X-RateLimit-Scope': 'global',
          },
        };
      }
      sent.push(now);
    }

    const hash = this.#hash(spec.route);
    const majorValue = spec.major ? (params[spec.major] ?? '') : '';
    const bucket = this.#window(this.#buckets, `${hash}:${majorValue}`, spec.windowMs, now);
    const headers = (remaining: number): Record<string, string> => ({
      'X-RateLimit-Limit': String(spec.limit),
      'X-RateLimit-Remaining': String(remaining),
      'X-RateLimit-Reset': secs(bucket.resetAt),
      'X-RateLimit-Reset-After': secs(bucket.resetAt - now),
      'X-RateLimit-Bucket': hash,
    });
    if (bucket.used >= spec.limit) {
      const retryAfter = (bucket.resetAt - now) / 1000;
      const scope = spec.scope ?? 'user';
      return {
        allowed: false,
        scope,
        retryAfter,
        headers: {
          ...headers(0),
          'Retry-After': String(Math.max(1, Math.ceil(retryAfter))),
          'X-RateLimit-Scope': scope,
        },
      };
    }
    if (spec.shared) {
      const resource = this.#window(this.#shared, `${hash}:${majorValue}`, spec.shared.windowMs, now);
      if (resource.used >= spec.shared.limit) {
        const retryAfter = (resource.resetAt - now) / 1000;
        // The request is not counted against the user's own bucket: the resource refused it.
        return {
          allowed: false,
          scope: 'shared',
          retryAfter,
          headers: {
            ...headers(spec.limit - bucket.used),
            'Retry-After': String(Math.max(1, Math.ceil(retryAfter))),
            'X-RateLimit-Scope': 'shared',
          },
        };
      }
      resource.used++;
    }
    bucket.used++;
    return { allowed: true, headers: headers(spec.limit - bucket.used) };
  }

  #window(map: Map<string, Window>, key: string, windowMs: number, now: number): Window {
    let window = map.get(key);
    if (!window || now >= window.resetAt) {
      window = { resetAt: now + windowMs, used: 0 };
      map.set(key, window);
    }
    return window;
  }

  #hash(route: string): string {
    let hash = this.#hashes.get(route);
    if (hash === undefined) {
      hash = bucketHash(route);
      this.#hashes.set(route, hash);
    }
    return hash;
  }
}
