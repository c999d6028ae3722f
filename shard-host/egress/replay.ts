// Remembers request ids for the replay window, so a captured signed request cannot be sent again while its
// timestamp is still accepted. Bounded: past the cap the oldest ids go (and their requests are too old to
// pass the timestamp check by then, at any sane request rate).
import { MAX_CLOCK_SKEW_SECONDS } from '../../protocol/index.ts';

export class ReplayCache {
  readonly #seen = new Map<string, number>();
  readonly #max: number;
  readonly #windowMs: number;

  constructor(max = 100_000, windowMs = 2 * MAX_CLOCK_SKEW_SECONDS * 1000) {
    this.#max = max;
    this.#windowMs = windowMs;
  }

  /** True the first time an id is seen within the window. */
  remember(id: string, now = Date.now()): boolean {
    for (const [old, at] of this.#seen) {
      if (at > now - this.#windowMs && this.#seen.size < this.#max) break;
      this.#seen.delete(old);
    }
    if (this.#seen.has(id)) return false;
    this.#seen.set(id, now);
    return true;
  }
}
