// Renewals and the fence. The host renews its lease every renewEveryMs; a renewal is confirmed when the
// coordinator answers it. The coordinator expires the lease at the earliest TTL after it RECEIVED the last
// renewal, which is after we SENT it: so `sentAt + TTL − margin`, on this host's clock, is a deadline we
// know is early. Past it the lease is unconfirmed: the host keeps the connections it has (the platform
// session stays alive and the spool keeps every event) but opens no new one until a renewal is confirmed
// again. Whether the shards it runs still belong to it is settled by the coordinator when the link comes
// back (stale epochs are revoked), and by the epoch check at /events meanwhile.
import type { Clock } from '../gateway/clock.ts';

/** The deadline is this far before the earliest moment the coordinator could expire the lease. */
export function fenceMarginMs(ttlMs: number): number {
  return Math.max(500, Math.floor(ttlMs / 5));
}

interface Waiter {
  resolve(): void;
  reject(err: unknown): void;
}

export class LeaseRenewal {
  readonly #clock: Clock;
  ttlMs: number;
  renewEveryMs: number;
  readonly #sent = new Map<number, number>();
  #deadline = -Infinity;
  #lastConfirmedAt = -Infinity;
  readonly #waiters = new Set<Waiter>();

  constructor(clock: Clock, ttlMs: number) {
    this.#clock = clock;
    this.ttlMs = ttlMs;
    this.renewEveryMs = Math.floor(ttlMs / 3);
  }

  /** The lease is confirmed until the deadline. */
  get confirmed(): boolean {
    return this.#clock.now() < this.#deadline;
  }

  /** Milliseconds until the lease is unconfirmed (≤ 0: it is). */
  get remainingMs(): number {
    return this.#deadline - this.#clock.now();
  }

  sent(id: number): void {
    this.#sent.set(id, this.#clock.now());
  }

  /** The coordinator answered renewal (or hello) `id`. */
  confirm(id: number): void {
    const sentAt = this.#sent.get(id);
    if (sentAt === undefined) return;
    for (const [k, at] of this.#sent) if (at <= sentAt) this.#sent.delete(k);
    this.#lastConfirmedAt = this.#clock.now();
    this.#deadline = Math.max(this.#deadline, sentAt + this.ttlMs - fenceMarginMs(this.ttlMs));
    if (this.confirmed) for (const w of [...this.#waiters]) (this.#waiters.delete(w), w.resolve());
  }

  /** A link whose renewals go unanswered for a TTL is dead even if TCP says otherwise. */
  stale(): boolean {
    const now = this.#clock.now();
    if (now - this.#lastConfirmedAt <= this.ttlMs || this.#sent.size === 0) return false;
    return Math.min(...this.#sent.values()) < now - this.ttlMs;
  }

  forgetSent(): void {
    this.#sent.clear();
  }

  /** Resolves at the next confirmation (at once when confirmed); rejects when `signal` aborts. */
  waitConfirmed(signal: AbortSignal): Promise<void> {
    if (this.confirmed) return Promise.resolve();
    return new Promise((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason);
      const w: Waiter = {
        resolve: () => (signal.removeEventListener('abort', onAbort), resolve()),
        reject,
      };
      const onAbort = () => (this.#waiters.delete(w), reject(signal.reason));
      signal.addEventListener('abort', onAbort, { once: true });
      this.#waiters.add(w);
    });
  }
}
