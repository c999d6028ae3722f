// One rate-limit bucket as we know it from Discord's headers (Discord docs, Topics > Rate Limits > Header
// Format). The accounting is exact rather than hopeful: `remaining` counts every request we sent that may
// land in the current window, including those still in flight, so several requests can be in flight at once
// without ever exceeding the limit.
//
// Windows are told apart by X-RateLimit-Reset (the same absolute moment for every response of one window);
// the time left is taken from X-RateLimit-Reset-After, which is relative and so immune to clock skew.
// A bucket whose responses lack Reset falls back to one request in flight at a time.

export interface RateLimitHeaders {
  limit: number;
  remaining: number;
  resetAfterMs: number;
  /** X-RateLimit-Reset in ms, the window's identity; undefined when absent. */
  resetEpochMs: number | undefined;
  /** The server's clock when it answered (Reset − Reset-After), in ms; undefined without Reset. */
  serverNowMs: number | undefined;
}

export type BucketMode = 'unknown' | 'unlimited' | 'limited' | 'serial';

export class Bucket {
  mode: BucketMode = 'unknown';
  limit = 1;
  remaining = 1;
  /** Local time the current window ends; undefined after a rollover until a response of the new window. */
  resetAt: number | undefined;
  windowId: number | undefined;
  /** Longest window seen, for predicting waits beyond the current one (0 until a response tells). */
  windowMs = 0;
  inFlight = 0;
  pausedUntil = 0;
  lastUsed = 0;

  /**
   * A bucket we have not used yet whose limit we know from a sibling: the same bucket hash under another major
   * parameter (Discord docs, Rate Limits > Header Format: X-RateLimit-Bucket names the limit "non-inclusive of
   * top-level resources in the path"). Its first window starts with our first request, so a full window's
   * worth may go at once instead of one request and a wait for its answer.
   */
  assume(limit: number, windowMs: number): void {
    this.mode = 'limited';
    this.limit = limit;
    this.remaining = limit;
    this.windowMs = windowMs;
  }

  /** Starts a new window once the known one is over; requests still in flight may land in it. */
  #tick(now: number): void {
    if (this.mode === 'limited' && this.resetAt !== undefined && now >= this.resetAt) {
      this.remaining = Math.max(0, this.limit - this.inFlight);
      this.resetAt = undefined;
    }
    // Every request of the new window was answered and none told us when it ends (they all looked like
    // late answers from the old one): assume a full window rather than wait for a response that won't come.
    if (this.mode === 'limited' && this.remaining <= 0 && this.resetAt === undefined && this.inFlight === 0)
      this.resetAt = now + (this.windowMs || 1000);
  }

  /** 0 when a request may go now; otherwise ms to wait, or Infinity when only a response can free it. */
  waitMs(now: number): number {
    this.#tick(now);
    if (now < this.pausedUntil) return this.pausedUntil - now;
    switch (this.mode) {
      case 'unlimited':
        return 0;
      case 'unknown':
      case 'serial':
        if (this.inFlight > 0) return Infinity;
        if (this.mode === 'serial' && this.remaining <= 0 && this.resetAt !== undefined && now < this.resetAt)
          return this.resetAt - now;
        return 0;
      case 'limited':
        if (this.remaining > 0) return 0;
        return this.resetAt === undefined ? Infinity : this.resetAt - now;
    }
  }

  onSend(now: number): void {
    this.lastUsed = now;
    this.inFlight++;
    if (this.mode === 'limited' || this.mode === 'serial') this.remaining--;
  }

  /**
   * A response arrived; `headers` undefined when it carried no rate-limit headers. `resetAt` is the window's
   * end on the local clock: by default `now` + Reset-After, which a slow answer makes late but never early;
   * the limiter passes a tighter bound when it knows one (server-clock.ts).
   */
  onResponse(
    now: number,
    ok: boolean,
    headers: RateLimitHeaders | undefined,
    resetAt = now + (headers?.resetAfterMs ?? 0),
  ): void {
    this.lastUsed = now;
    this.inFlight = Math.max(0, this.inFlight - 1);
    if (!headers) {
      // A success without headers: the route has no per-route limit (only the global one applies).
      if (ok && this.mode === 'unknown') this.mode = 'unlimited';
      return;
    }
    this.limit = headers.limit;
    if (headers.resetEpochMs === undefined) {
      this.mode = 'serial';
      this.remaining = headers.remaining;
      this.resetAt = resetAt;
      return;
    }
    const fresh = this.mode !== 'limited';
    this.mode = 'limited';
    if (fresh || this.windowId === undefined || headers.resetEpochMs > this.windowId + 1) {
      // A newer window (or the first we see). Every other request in flight may land in it too.
      const safe = Math.max(0, headers.remaining - this.inFlight);
      this.remaining = !fresh && this.resetAt === undefined ? Math.min(this.remaining, safe) : safe;
      this.windowId = headers.resetEpochMs;
      this.resetAt = resetAt;
      this.windowMs = Math.max(this.windowMs, headers.resetAfterMs);
    } else if (headers.resetEpochMs >= this.windowId - 1 && this.resetAt !== undefined) {
      // The current window: the server may know of fewer of our requests than we do, never more. Every
      // response's bound on the reset is safe (never early), so the tightest one — the quickest answer's — wins.
      this.remaining = Math.min(this.remaining, headers.remaining);
      this.resetAt = Math.min(this.resetAt, resetAt);
    }
    // Otherwise a late answer from a window already over: it tells us nothing about the current one.
  }

  /**
   * A 429 for this bucket. `user`: the bucket is spent until retry_after (which is when it resets). `shared`:
   * the resource refused, our own bucket is as the headers say; only this resource waits.
   */
  pause(now: number, retryAfterMs: number, scope: 'user' | 'shared'): void {
    this.pausedUntil = Math.max(this.pausedUntil, now + retryAfterMs);
    if (scope === 'user' && (this.mode === 'limited' || this.mode === 'serial')) {
      this.remaining = 0;
      this.resetAt = this.pausedUntil;
    }
  }

  /** Predicted wait before the request at `position` in the queue (0 = next) may go, ignoring the global limit. */
  predictMs(now: number, position: number): number {
    const wait = this.waitMs(now);
    if (this.mode !== 'limited') return wait === Infinity ? 0 : wait + (this.mode === 'unlimited' ? 0 : position * 50);
    if (position < this.remaining) return Math.max(0, this.pausedUntil - now);
    const windowsAhead = Math.floor((position - this.remaining) / Math.max(1, this.limit));
    const windowMs = this.windowMs || 1000;
    const firstReset = this.resetAt === undefined ? windowMs : this.resetAt - now;
    return Math.max(0, firstReset) + windowsAhead * windowMs;
  }

  idle(now: number, idleMs: number): boolean {
    return this.inFlight === 0 && now - this.lastUsed > idleMs && now >= (this.resetAt ?? 0) && now >= this.pausedUntil;
  }
}
