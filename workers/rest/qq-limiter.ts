// Waits until every QQ rate rule that covers a request has room (qq-limits.ts), counting sends in sliding
// windows, and pauses a counter after QQ answered with a frequency limit. The clock and timers are injected.
// QQ counts a request when it arrives, and arrivals are not spaced as sends are (a slow first request, a
// fast sixth one), so each send's place in the window moves to the time of its answer: QQ saw the request
// before it answered, so a window counted from the answer is never shorter than the one QQ counts.
import { qqRulesFor, qqRouteKey, type QQRateRule } from './qq-limits.ts';

export interface QQLimiterOptions {
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

interface Counter {
  rule: QQRateRule;
  /** Send (then answer) times, oldest first. */
  sends: { at: number }[];
  pausedUntil: number;
}

export class QQRateLimiter {
  readonly #counters = new Map<string, Counter>();
  readonly #now: () => number;
  readonly #sleep: (ms: number) => Promise<void>;

  constructor(options: QQLimiterOptions = {}) {
    this.#now = options.now ?? Date.now;
    this.#sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  #counters_(method: string, path: string): Counter[] {
    return qqRulesFor(qqRouteKey(method, path)).map(({ rule, counter }) => {
      let c = this.#counters.get(counter);
      if (!c) {
        c = { rule, sends: [], pausedUntil: 0 };
        this.#counters.set(counter, c);
      }
      return c;
    });
  }

  static #waitOf(c: Counter, now: number): number {
    c.sends = c.sends.filter((s) => s.at > now - c.rule.windowMs);
    let byWindow = 0;
    if (c.sends.length >= c.rule.limit) {
      const times = c.sends.map((s) => s.at).sort((a, b) => a - b);
      byWindow = times[times.length - c.rule.limit]! + c.rule.windowMs - now;
    }
    return Math.max(byWindow, c.pausedUntil - now, 0);
  }

  /** How long a request would wait now. */
  predictMs(method: string, path: string): number {
    const now = this.#now();
    return Math.max(0, ...this.#counters_(method, path).map((c) => QQRateLimiter.#waitOf(c, now)));
  }

  /** Resolves when the request may be sent, and counts it; call the returned function when it is answered. */
  async acquire(method: string, path: string): Promise<() => void> {
    const counters = this.#counters_(method, path);
    for (;;) {
      const now = this.#now();
      const wait = Math.max(0, ...counters.map((c) => QQRateLimiter.#waitOf(c, now)));
      if (wait === 0) {
        const entry = { at: now };
        for (const c of counters) c.sends.push(entry);
        return () => void (entry.at = Math.max(entry.at, this.#now()));
      }
      await this.#sleep(wait);
    }
  }

  /** QQ answered with a frequency limit: hold the narrowest counter of this request for `ms`. */
  pause(method: string, path: string, ms: number): void {
    const counters = this.#counters_(method, path);
    const target = counters.find((c) => c.rule.scope === 'major') ?? counters[0];
    if (target) target.pausedUntil = Math.max(target.pausedUntil, this.#now() + ms);
  }
}
