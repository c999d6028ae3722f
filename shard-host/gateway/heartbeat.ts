// Heartbeating for one connection. Discord docs, Topics > Gateway > Sending Heartbeats:
// the first beat goes after heartbeat_interval × jitter (jitter in [0, 1)), then one every interval.
// If no Heartbeat ACK (op 11) arrived since the previous beat, the connection is "zombied": the caller
// must close it with a code other than 1000/1001 (so the session survives) and resume.
//
// Liveness is any inbound payload, not only op 11: under a heavy event stream the ACK can sit behind
// megabytes of dispatches, and a connection that is delivering dispatches is not a zombie. Latency is
// still measured on op 11 only.
//
// Backpressure (the host stops reading the socket while its spool is over the high-water mark) would
// otherwise look exactly like a zombie: nothing inbound is read, so no ACK is seen. So while reading is
// paused the heartbeat keeps BEATING (outbound is not paused, and Discord needs our beats to keep the
// session) but gives no zombie verdict; when reading resumes, the wait for proof of life starts over, so
// a real zombie is still caught at most two intervals after the pause ends.
import type { Clock, Timer } from './clock.ts';

export interface HeartbeatOptions {
  clock: Clock;
  random: () => number;
  /** Send op 1 now; the heartbeat does not know the sequence number. */
  beat: () => void;
  /** No ACK since the last beat; the heartbeat has stopped itself. */
  onZombie: () => void;
}

export class Heartbeat {
  readonly #options: HeartbeatOptions;
  #intervalMs = 0;
  #timer: Timer | null = null;
  #awaitingAck = false;
  #sentAt = 0;
  #latencyMs: number | null = null;
  #readingPaused = false;

  constructor(options: HeartbeatOptions) {
    this.#options = options;
  }

  /** Round trip of the last acknowledged beat, or null before the first ACK. */
  get latencyMs(): number | null {
    return this.#latencyMs;
  }

  get running(): boolean {
    return this.#timer !== null;
  }

  start(intervalMs: number): void {
    this.stop();
    this.#intervalMs = intervalMs;
    this.#awaitingAck = false;
    this.#schedule(intervalMs * this.#options.random());
  }

  stop(): void {
    this.#timer?.cancel();
    this.#timer = null;
  }

  ackReceived(): void {
    if (this.#awaitingAck) this.#latencyMs = this.#options.clock.now() - this.#sentAt;
    this.#awaitingAck = false;
  }

  /** Any inbound payload proves the connection alive (no latency sample). */
  trafficReceived(): void {
    this.#awaitingAck = false;
  }

  /** The owner stopped (true) or restarted (false) reading the socket; see the header comment. */
  setReadingPaused(paused: boolean): void {
    if (this.#readingPaused && !paused) this.#awaitingAck = false;
    this.#readingPaused = paused;
  }

  /** Op 1 from the server asks for a beat at once (Gateway > Heartbeat Requests); the schedule is kept. */
  beatNow(): void {
    this.#send();
  }

  #schedule(ms: number): void {
    this.#timer = this.#options.clock.setTimeout(() => this.#tick(), ms);
  }

  #tick(): void {
    if (this.#awaitingAck && !this.#readingPaused) {
      this.stop();
      this.#options.onZombie();
      return;
    }
    this.#send();
    this.#schedule(this.#intervalMs);
  }

  #send(): void {
    this.#awaitingAck = true;
    this.#sentAt = this.#options.clock.now();
    this.#options.beat();
  }
}
