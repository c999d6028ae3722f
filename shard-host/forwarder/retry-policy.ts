// How long a shard waits before re-sending a failed remainder. Two kinds of failure, two policies:
//
// - Whole-batch failures (Worker unreachable, 5xx, 408/425/429, 401, spool sync): the Worker or the path to
//   it is down, not the event. Exponential with full jitter, capped, retried for as long as it takes; they
//   never count toward dead-lettering, so an outage of any length dead-letters nothing.
// - Handler failures (a per-event `retry` in a 200 answer): the Worker ran the handlers and one threw.
//   Counted per event; the MAX_ATTEMPTS-th failure dead-letters the event. Deterministic doubling:
//   after failure k (1-based) the shard waits min(baseMs · 2^(k-1), maxMs). The wait behind one poison
//   event is therefore Σ_{k=1}^{N-1} min(1000 · 2^(k-1), 8000) ms + N handler runs: with N = 5 (the
//   default EDGESHARD_MAX_ATTEMPTS) that is 1 + 2 + 4 + 8 = 15 s plus five runs of the failing handler.
import { backoff } from '../gateway/backoff.ts';

export interface RetryPolicy {
  /** Handler failures of one event after which it is dead-lettered (EDGESHARD_MAX_ATTEMPTS). */
  maxAttempts: number;
  batch: { baseMs: number; maxMs: number };
  handler: { baseMs: number; maxMs: number };
}

export const DEFAULT_MAX_ATTEMPTS = 5;

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: DEFAULT_MAX_ATTEMPTS,
  batch: { baseMs: 250, maxMs: 10_000 },
  handler: { baseMs: 1_000, maxMs: 8_000 },
};

/** Delay after `failures` whole-batch failures in a row (1-based), full jitter. */
export function batchRetryDelay(failures: number, policy: RetryPolicy, random: () => number): number {
  return backoff(failures - 1, { ...policy.batch, random });
}

/** Delay after an event's `failures`-th handler failure (1-based). */
export function handlerRetryDelay(failures: number, policy: RetryPolicy): number {
  const exp = Math.min(Math.max(0, failures - 1), 30);
  return Math.min(policy.handler.maxMs, policy.handler.baseMs * 2 ** exp);
}

/** The longest a shard's later events wait behind one poison event, handler run time excluded. */
export function poisonWaitMs(policy: RetryPolicy): number {
  let total = 0;
  for (let k = 1; k < policy.maxAttempts; k++) total += handlerRetryDelay(k, policy);
  return total;
}
