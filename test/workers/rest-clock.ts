// A fake clock for the limiter: timers fire in time order when the test runs them, so limiter tests take no
// real time and do not depend on machine speed.
export class FakeClock {
  now = 1_700_000_000_000;
  #timers: { at: number; seq: number; fn: () => void; live: boolean }[] = [];
  #seq = 0;

  readonly time = (): number => this.now;

  readonly setTimer = (ms: number, fn: () => void): (() => void) => {
    const timer = { at: this.now + Math.max(0, ms), seq: this.#seq++, fn, live: true };
    this.#timers.push(timer);
    return () => {
      timer.live = false;
    };
  };

  /** Resolves after `ms` of fake time. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.setTimer(ms, resolve));
  }

  /** Runs until `done` settles: lets promises run, then fires the next timer, and so on. */
  async run<T>(done: Promise<T>, limitMs = 3_600_000): Promise<T> {
    let settled = false;
    void done.then(
      () => (settled = true),
      () => (settled = true),
    );
    const start = this.now;
    for (;;) {
      for (let i = 0; i < 20; i++) await Promise.resolve();
      if (settled) return done;
      this.#timers = this.#timers.filter((t) => t.live);
      if (this.#timers.length === 0) throw new Error('nothing left to run but the promise is pending: a lost wake-up');
      this.#timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.#timers.shift()!;
      this.now = Math.max(this.now, next.at);
      if (this.now - start > limitMs) throw new Error('fake time limit exceeded');
      next.fn();
    }
  }
}
