// The server's clock in local terms, from the responses themselves. Every response with X-RateLimit-Reset and
// -Reset-After tells the server's time when it answered (see headers.ts); it reached us one return trip
// later, so (receipt − server time) = clock offset + return latency ≥ clock offset. The least of these over
// recent responses is therefore a safe bound on the offset that is tighter than any single response's: a
// bucket's reset and the moment Discord counted a request can be placed on the local clock without paying a
// slow response's return trip each window — and never earlier than they really are.
//
// Why not trust the absolute Reset alone: Discord recommends Reset-After against clock skew (Rate Limits >
// Header Format), and that is what this keeps. The bound relaxes over time (DRIFT), so a local clock that
// runs fast cannot turn an old minimum into an early one.

/** Clocks drift by parts per million; relaxing by a part per thousand is far on the safe side. */
const DRIFT = 1e-3;
/** Header values carry milliseconds, rounded: a margin for the rounding on each side. */
export const ROUNDING_MS = 2;

export class ServerClock {
  #offset = Infinity;
  #at = 0;

  /** Records a response received at local `receivedAt` that the server sent at `serverNowMs` (its clock). */
  observe(receivedAt: number, serverNowMs: number): void {
    if (this.#offset !== Infinity) this.#offset += Math.max(0, receivedAt - this.#at) * DRIFT;
    this.#offset = Math.min(this.#offset, receivedAt - serverNowMs);
    this.#at = receivedAt;
  }

  /**
   * A server time as a local time that is certainly not earlier than it; `fallback` (the receipt-based value,
   * always safe) when that is sooner or when no response told us the offset yet.
   */
  toLocal(serverMs: number, fallback: number, now: number): number {
    if (this.#offset === Infinity) return fallback;
    const offset = this.#offset + Math.max(0, now - this.#at) * DRIFT;
    return Math.min(fallback, serverMs + offset + ROUNDING_MS);
  }
}
