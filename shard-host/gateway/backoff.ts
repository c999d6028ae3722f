// Reconnect delays: exponential with full jitter ("Exponential Backoff And Jitter", AWS Architecture Blog).
// Pure, so the shard's reconnect policy is testable without a clock.

export interface BackoffOptions {
  /** Cap of the first attempt's delay. */
  baseMs: number;
  /** Cap of every delay. */
  maxMs: number;
  /** Uniform in [0, 1); injectable for tests. */
  random: () => number;
}

export const DEFAULT_BACKOFF = { baseMs: 1_000, maxMs: 60_000 } as const;

/** Delay before reconnect attempt `attempt` (0-based): uniform in [0, min(maxMs, baseMs × 2^attempt)). */
export function backoff(attempt: number, options: BackoffOptions): number {
  const exp = Math.min(Math.max(0, attempt), 30); // 2^30 × base exceeds any sane max; avoids Infinity
  const cap = Math.min(options.maxMs, options.baseMs * 2 ** exp);
  return Math.floor(cap * options.random());
}
