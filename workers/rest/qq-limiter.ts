// Waits until every QQ rate rule that covers a request has room (qq-limits.ts), counting sends in sliding
// windows, and pauses a counter after QQ answered with a frequency limit. The clock and timers are injected.
import { qqRulesFor, qqRouteKey, type QQRateRule } from './qq-limits.ts';

export interface QQLimiterOptions {
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

interface Counter {
  rule: QQRateRule;
  sends: number[];
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
    while (c.sends.length > 0 && c.sends[0]! <= now - c.rule.windowMs) c.sends.shift();
    const byWindow = c.sends.length < c.rule.limit ? 0 : c.sends[c.sends.length - c.rule.limit]! + c.rule.windowMs - now;
    return Math.max(byWindow, c.pausedUntil - now, 0);
  }

  /** How long a request would wait now. */
  predictMs(method: string, path: string): number {
    const now = this.#now();
    return Math.max(0, ...this.#counters_(method, path).map((c) => QQRateLimiter.#waitOf(c, now)));
  }

  /** Resolves when the request may be sent, and counts it. */
  async acquire(method: string, path: string): Promise<void> {
    const counters = this.#counters_(method, path);
    for (;;) {
      const now = this.#now();
      const wait = Math.max(0, ...counters.map((c) => QQRateLimiter.#waitOf(c, now)));
      if (wait === 0) {
        for (const c of counters) c.sends.push(now);
        return;
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
