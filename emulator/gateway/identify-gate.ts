// Identify concurrency (Discord docs, Topics > Gateway > Rate Limiting, and Sharding > Max Concurrency):
// shards are grouped into buckets by rate_limit_key = shard_id % max_concurrency, and each bucket may
// identify once per window (5 s on Discord). The daily session_start_limit is tracked here too.
export class IdentifyGate {
  readonly #maxConcurrency: number;
  readonly #windowMs: number;
  readonly #lastIdentify = new Map<number, number>();
  readonly #total: number;
  #remaining: number;
  #resetAt = 0;

  constructor(options: { maxConcurrency: number; windowMs: number; sessionStartTotal: number }) {
    this.#maxConcurrency = options.maxConcurrency;
    this.#windowMs = options.windowMs;
    this.#total = options.sessionStartTotal;
    this.#remaining = options.sessionStartTotal;
  }

  bucketOf(shardId: number): number {
    return shardId % this.#maxConcurrency;
  }

  lastIdentifyAt(bucket: number): number | undefined {
    return this.#lastIdentify.get(bucket);
  }

  /** 'ok' spends one session start; the other outcomes spend nothing. */
  tryIdentify(shardId: number, now = Date.now()): 'ok' | 'too-fast' | 'exhausted' {
    this.#refill(now);
    const bucket = this.bucketOf(shardId);
    const last = this.#lastIdentify.get(bucket);
    if (last !== undefined && now - last < this.#windowMs) return 'too-fast';
    if (this.#remaining <= 0) return 'exhausted';
    this.#lastIdentify.set(bucket, now);
    if (this.#remaining === this.#total) this.#resetAt = now + 24 * 60 * 60 * 1000;
    this.#remaining--;
    return 'ok';
  }

  get remaining(): number {
    this.#refill(Date.now());
    return this.#remaining;
  }

  /** session_start_limit as GET /gateway/bot reports it (Discord docs, Session Start Limit Object). */
  sessionStartLimit(now = Date.now()): {
    total: number;
    remaining: number;
    reset_after: number;
    max_concurrency: number;
  } {
    this.#refill(now);
    const resetAfter = this.#remaining === this.#total ? 0 : Math.max(0, this.#resetAt - now);
    return {
      total: this.#total,
      remaining: this.#remaining,
      reset_after: resetAfter,
      max_concurrency: this.#maxConcurrency,
    };
  }

  #refill(now: number): void {
    if (this.#remaining < this.#total && now >= this.#resetAt) this.#remaining = this.#total;
  }
}
