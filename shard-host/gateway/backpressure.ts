// Backpressure from the spool to the sockets (DESIGN.md, guarantee 6: memory stays bounded under overload).
// When the spool holds more than the high-water mark (events or bytes), every shard stops reading its
// socket; below the low-water mark they read again. Hysteresis keeps the sockets from flapping.
//
// Paused means `ws` stops reading the TCP socket: the kernel's receive buffer fills, TCP's window closes and
// the sender (Discord) holds the rest. Nothing is dropped and nothing grows here. Heartbeats continue while
// paused, without a zombie verdict (see heartbeat.ts), so a pause never costs the session.
import { systemClock, type Clock, type Timer } from './clock.ts';

export interface Depth {
  events: number;
  bytes: number;
}

export interface BackpressureOptions {
  high: Depth;
  /** Default: half of `high`. */
  low?: Depth;
  depth: () => Depth;
  pause: () => void;
  resume: () => void;
  /** While paused, how often to look again even if nothing was acknowledged. Default 50 ms. */
  pollMs?: number;
  /** Appends between two depth reads; the bound may be overshot by this many events. Default 32. */
  sampleEvery?: number;
  clock?: Clock;
  onChange?: (paused: boolean, depth: Depth) => void;
}

export class Backpressure {
  readonly #o: BackpressureOptions;
  readonly #low: Depth;
  readonly #clock: Clock;
  #paused = false;
  #sinceCheck = 0;
  #poll: Timer | null = null;
  #pauses = 0;

  constructor(options: BackpressureOptions) {
    this.#o = options;
    this.#low = options.low ?? {
      events: Math.floor(options.high.events / 2),
      bytes: Math.floor(options.high.bytes / 2),
    };
    this.#clock = options.clock ?? systemClock;
  }

  get paused(): boolean {
    return this.#paused;
  }

  /** Times reading was paused so far. */
  get pauses(): number {
    return this.#pauses;
  }

  /** Call after each append: reads the depth every `sampleEvery` calls. */
  appended(): void {
    if (++this.#sinceCheck >= (this.#o.sampleEvery ?? 32)) this.check();
  }

  /** Reads the depth now and pauses or resumes; call after acknowledgements too. */
  check(): void {
    this.#sinceCheck = 0;
    const depth = this.#o.depth();
    const { high } = this.#o;
    if (!this.#paused && (depth.events >= high.events || depth.bytes >= high.bytes)) {
      this.#paused = true;
      this.#pauses++;
      this.#o.pause();
      this.#o.onChange?.(true, depth);
      this.#schedule();
    } else if (this.#paused && depth.events <= this.#low.events && depth.bytes <= this.#low.bytes) {
      this.#paused = false;
      this.#poll?.cancel();
      this.#poll = null;
      this.#o.resume();
      this.#o.onChange?.(false, depth);
    } else if (this.#paused) {
      this.#schedule();
    }
  }

  close(): void {
    this.#poll?.cancel();
    this.#poll = null;
  }

  #schedule(): void {
    this.#poll?.cancel();
    this.#poll = this.#clock.setTimeout(() => {
      this.#poll = null;
      this.check();
    }, this.#o.pollMs ?? 50);
  }
}
