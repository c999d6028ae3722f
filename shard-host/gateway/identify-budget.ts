// The daily identify budget as a circuit breaker in front of an IdentifyGate. Discord docs, Topics >
// Gateway > Session Start Limit: GET /gateway/bot reports `session_start_limit` {total, remaining,
// reset_after}; every Identify spends one start, and a bot that runs out gets its token reset. Resumes do
// not count, so only identifies pass through here.
//
// Closed: identifies pass and are counted down locally. Open (remaining ≤ reserve): every acquire is refused
// with an error that says when the budget resets, carrying `retryAfterMs`, so the shard waits without a
// socket and resumable shards keep resuming. At the reset time the breaker asks `refresh` (GET
// /gateway/bot) for the real numbers before it closes again.
import { EdgeshardError } from '../../protocol/errors.ts';
import { systemClock, type Clock } from './clock.ts';
import type { IdentifyGate } from './identify-gate.ts';

export interface SessionStartLimit {
  total: number;
  remaining: number;
  /** Milliseconds until `remaining` resets to `total`. */
  reset_after: number;
}

export interface IdentifyBudgetOptions {
  limit: SessionStartLimit;
  /** Starts kept back: the breaker opens when `remaining` would drop below this. Default 0. */
  reserve?: number;
  /** Fresh numbers from GET /gateway/bot once the reset time has passed (default: assume a full reset). */
  refresh?: () => Promise<SessionStartLimit>;
  clock?: Clock;
  /** Called once each time the breaker opens. */
  onOpen?: (error: IdentifyBudgetExhausted) => void;
}

export class IdentifyBudgetExhausted extends EdgeshardError {
  readonly retryAfterMs: number;
  constructor(remaining: number, total: number, reserve: number, resetAt: number, now: number) {
    const waitMs = Math.max(0, resetAt - now);
    super(
      'rate_limited',
      `identify budget exhausted: ${remaining} of ${total} daily session starts left (reserve ${reserve}); ` +
        `not identifying until it resets at ${new Date(resetAt).toISOString()} (in ${formatDuration(waitMs)}). ` +
        'Shards with a session keep resuming. Frequent identifies mean sessions are being lost: check the logs for ' +
        'invalid sessions and restarts, and keep EDGESHARD_SESSION_FILE on persistent storage',
    );
    this.retryAfterMs = waitMs;
  }
}

const DAY_MS = 24 * 60 * 60 * 1000;

export class IdentifyBudget implements IdentifyGate {
  readonly #inner: IdentifyGate;
  readonly #o: IdentifyBudgetOptions;
  readonly #clock: Clock;
  readonly #reserve: number;
  #total: number;
  #remaining: number;
  #resetAt: number;
  #open = false;

  constructor(inner: IdentifyGate, options: IdentifyBudgetOptions) {
    this.#inner = inner;
    this.#o = options;
    this.#clock = options.clock ?? systemClock;
    this.#reserve = options.reserve ?? 0;
    this.#total = options.limit.total;
    this.#remaining = options.limit.remaining;
    this.#resetAt = this.#clock.now() + options.limit.reset_after;
  }

  get remaining(): number {
    return this.#remaining;
  }

  answered(shardId: number): void {
    this.#inner.answered?.(shardId);
  }

  async acquire(shardId: number, signal?: AbortSignal): Promise<void> {
    await this.#check();
    await this.#inner.acquire(shardId, signal);
    // Another shard may have spent the last start while this one waited for its bucket.
    await this.#check();
    this.#remaining--;
  }

  async #check(): Promise<void> {
    if (this.#remaining > this.#reserve) return;
    const now = this.#clock.now();
    if (now >= this.#resetAt) {
      // Past the reset: the real numbers if we can ask, else the documented behaviour (back to total).
      const limit = this.#o.refresh
        ? await this.#o.refresh()
        : { total: this.#total, remaining: this.#total, reset_after: DAY_MS };
      this.#total = limit.total;
      this.#remaining = limit.remaining;
      this.#resetAt = this.#clock.now() + limit.reset_after;
      if (this.#remaining > this.#reserve) return void (this.#open = false);
    }
    const error = new IdentifyBudgetExhausted(
      this.#remaining,
      this.#total,
      this.#reserve,
      Math.max(this.#resetAt, now + 1_000),
      now,
    );
    if (!this.#open) {
      this.#open = true;
      this.#o.onOpen?.(error);
    }
    throw error;
  }
}

function formatDuration(ms: number): string {
  const s = Math.ceil(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.ceil(s / 60);
  return m < 120 ? `${m} min` : `${(m / 60).toFixed(1)} h`;
}
