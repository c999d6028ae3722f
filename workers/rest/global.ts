// The global limit (Discord docs, Topics > Rate Limits > Global Rate Limit: 50 requests per second per bot,
// raised on request for large bots). A request takes a slot when it is sent; the slot is given back one
// second (plus a small margin) after the latest moment Discord can have counted it: its response's receipt,
// or sooner when the response's headers place the server's answer earlier on our clock (server-clock.ts).
// Discord counts a request somewhere between our send and its answer, and the next request is counted after
// we send it, so two requests Discord counted can never fall within one second of each other, whatever the
// network delay on either leg.

export interface GlobalTicket {
  /** Call when the response (or a network error) arrived, with the latest local time Discord counted it. */
  done(countedBy: number): void;
}

export class GlobalGate {
  readonly perSecond: number;
  readonly #marginMs: number;
  /** Release times of taken slots; Infinity while the request is in flight. */
  #slots: number[] = [];
  #pausedUntil = 0;

  constructor(perSecond: number, marginMs = 5) {
    this.perSecond = perSecond;
    this.#marginMs = marginMs;
  }

  #prune(now: number): void {
    if (this.#slots.length > 0 && this.#slots.some((t) => t <= now)) this.#slots = this.#slots.filter((t) => t > now);
  }

  /** 0 when a slot is free now; ms until one frees; Infinity when only a response can free one. */
  waitMs(now: number): number {
    if (now < this.#pausedUntil) return this.#pausedUntil - now;
    this.#prune(now);
    if (this.#slots.length < this.perSecond) return 0;
    return Math.min(...this.#slots) - now;
  }

  /** Takes a slot; call only when waitMs(now) is 0. */
  take(now: number): GlobalTicket {
    const sentAt = now;
    this.#slots.push(Infinity);
    let released = false;
    return {
      done: (countedBy: number) => {
        if (released) return;
        released = true;
        // In-flight slots are interchangeable: give any one of them its release time.
        const i = this.#slots.indexOf(Infinity);
        if (i >= 0) this.#slots[i] = Math.max(sentAt, countedBy) + this.#marginMs + 1000;
      },
    };
  }

  /** A 429 of scope global: nothing counted against the global limit goes until then. */
  pause(until: number): void {
    this.#pausedUntil = Math.max(this.#pausedUntil, until);
  }

  /** Predicted wait for the request with `ahead` others already waiting for a global slot. */
  predictMs(now: number, ahead: number): number {
    const wait = this.waitMs(now);
    const base = wait === Infinity ? 1000 : wait;
    return base + Math.floor(ahead / this.perSecond) * 1000;
  }

  /** Slots that will be free at time `at`, counting requests in flight as still holding theirs. */
  freeAt(at: number): number {
    if (at < this.#pausedUntil) return 0;
    let busy = 0;
    for (const t of this.#slots) if (t > at) busy++;
    return this.perSecond - busy;
  }

  inUse(now: number): number {
    this.#prune(now);
    return this.#slots.length;
  }
}
