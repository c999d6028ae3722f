// Reading a platform response the way the limiter needs it: the X-RateLimit-* headers (Discord docs, Topics >
// Rate Limits > Header Format), the 429 body's retry_after and scope, and the JSON error code.
import type { RateLimitHeaders } from './bucket.ts';

/** A response as the limiter sees it, whatever transport carried it. */
export interface LimitedResponse {
  status: number;
  header(name: string): string | null;
  body: string;
}

export function parseRateLimitHeaders(res: LimitedResponse): RateLimitHeaders | undefined {
  const remaining = res.header('x-ratelimit-remaining');
  const resetAfter = res.header('x-ratelimit-reset-after');
  if (remaining === null || resetAfter === null) return undefined;
  const reset = res.header('x-ratelimit-reset');
  const resetEpochMs = reset === null ? undefined : Math.round(Number(reset) * 1000);
  return {
    limit: Number(res.header('x-ratelimit-limit') ?? remaining) || 1,
    remaining: Number(remaining),
    resetAfterMs: Math.ceil(Number(resetAfter) * 1000),
    resetEpochMs,
    // Reset is absolute and Reset-After relative to the moment the server answered: their difference is the
    // server's clock at that moment (rounded to the millisecond).
    serverNowMs: resetEpochMs === undefined ? undefined : Math.round((Number(reset) - Number(resetAfter)) * 1000),
  };
}

/** Discord docs, Rate Limits > Exceeding A Rate Limit: the body's retry_after (seconds), else Retry-After. */
export function retryAfterMs(res: LimitedResponse): number {
  try {
    const body = JSON.parse(res.body) as { retry_after?: unknown };
    if (typeof body.retry_after === 'number') return Math.ceil(body.retry_after * 1000);
  } catch {
    // Cloudflare-level 429s are HTML; Retry-After is all there is.
  }
  return Number(res.header('retry-after') ?? '1') * 1000;
}

/** The 429's scope: `user`, `global` or `shared`; null for any other status. */
export function scopeOf(res: LimitedResponse): string | null {
  if (res.status !== 429) return null;
  return res.header('x-ratelimit-scope') ?? (res.header('x-ratelimit-global') ? 'global' : 'user');
}

export function errorCode(res: LimitedResponse): number | undefined {
  try {
    const code = (JSON.parse(res.body) as { code?: unknown }).code;
    return typeof code === 'number' ? code : undefined;
  } catch {
    return undefined;
  }
}
