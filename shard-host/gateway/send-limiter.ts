// Outgoing payload budget for one connection. Discord docs, Topics > Gateway > Rate Limiting: at most 120
// gateway events per 60 seconds per connection, or the gateway closes with 4008. Heartbeats count too, so
// user commands get `limit - reserve` and the reserve stays for heartbeats, Identify and Resume.
// Docs, Topics > Gateway > Sending Events: payloads over 4096 bytes close the connection with 4002.
import { EdgeshardError } from '../../protocol/errors.ts';
import type { Clock, Timer } from './clock.ts';

export const MAX_PAYLOAD_BYTES = 4096;

export type SendPriority = 'system' | 'command';

export interface SendLimiterOptions {
  clock: Clock;
  /** Sends per window; Discord's limit is 120. */
  limit?: number;
  windowMs?: number;
  /** Slots only system sends (heartbeat, identify, resume) may use. */
  reserve?: number;
}

interface Waiter {
  priority: SendPriority;
  resolve: () => void;
  reject: (reason: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: () => void;
}

/** Throws before anything is sent when the serialised payload exceeds Discord's 4096-byte limit. */
export function assertPayloadSize(json: string): void {
  const bytes = Buffer.byteLength(json, 'utf8');
  if (bytes > MAX_PAYLOAD_BYTES) {
    throw new EdgeshardError(
      'body_too_large',
      `gateway payload is ${bytes} bytes; Discord accepts at most ${MAX_PAYLOAD_BYTES} bytes per payload ` +
        '(Gateway > Sending Events) and would close the connection with 4002',
    );
  }
}

/** A sliding window of send timestamps; waiters are served in order, system sends first. */
export class SendLimiter {
  readonly #clock: Clock;
  readonly #limit: number;
  readonly #windowMs: number;
  readonly #reserve: number;
  #sent: number[] = [];
  #waiters: Waiter[] = [];
  #timer: Timer | null = null;

  constructor(options: SendLimiterOptions) {
    this.#clock = options.clock;
    this.#limit = options.limit ?? 120;
    this.#windowMs = options.windowMs ?? 60_000;
    this.#reserve = options.reserve ?? 5;
  }

  /** Sends still allowed now for `priority`. */
  available(priority: SendPriority): number {
    this.#expire();
    const cap = priority === 'system' ? this.#limit : this.#limit - this.#reserve;
    return Math.max(0, cap - this.#sent.length);
  }

  /** Takes a slot now if one is free and nobody of the same or higher priority waits. */
  tryAcquire(priority: SendPriority): boolean {
    const ahead = this.#waiters.some((w) => priority === 'command' || w.priority === 'system');
    if (ahead || this.available(priority) === 0) return false;
    this.#sent.push(this.#clock.now());
    return true;
  }

  acquire(priority: SendPriority, signal?: AbortSignal): Promise<void> {
    if (this.tryAcquire(priority)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const waiter: Waiter = {
        priority,
        resolve,
        reject,
        signal,
        onAbort: () => {
          this.#waiters = this.#waiters.filter((w) => w !== waiter);
          reject(signal?.reason);
        },
      };
      signal?.addEventListener('abort', waiter.onAbort, { once: true });
      // System sends overtake queued commands, never each other.
      const at = priority === 'system' ? this.#waiters.findIndex((w) => w.priority === 'command') : -1;
      if (at === -1) this.#waiters.push(waiter);
      else this.#waiters.splice(at, 0, waiter);
      this.#pump();
    });
  }

  /** A new connection starts a new budget; pending waiters keep their place. */
  reset(): void {
    this.#sent = [];
    this.#pump();
  }

  /** Rejects every waiter (connection gone for good). */
  close(reason: unknown): void {
    this.#timer?.cancel();
    this.#timer = null;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) {
      w.signal?.removeEventListener('abort', w.onAbort);
      w.reject(reason);
    }
  }

  #expire(): void {
    const cutoff = this.#clock.now() - this.#windowMs;
    let drop = 0;
    while (drop < this.#sent.length && this.#sent[drop]! <= cutoff) drop++;
    if (drop > 0) this.#sent.splice(0, drop);
  }

  #pump(): void {
    this.#timer?.cancel();
    this.#timer = null;
    while (this.#waiters.length > 0) {
      const next = this.#waiters[0]!;
      if (this.available(next.priority) === 0) break;
      this.#waiters.shift();
      next.signal?.removeEventListener('abort', next.onAbort);
      this.#sent.push(this.#clock.now());
      next.resolve();
    }
    if (this.#waiters.length > 0 && this.#sent.length > 0) {
      const wait = this.#sent[0]! + this.#windowMs - this.#clock.now();
      this.#timer = this.#clock.setTimeout(() => this.#pump(), Math.max(0, wait));
    }
  }
}
