// Who may identify when. Discord docs, Topics > Gateway > Sharding > Max Concurrency: shards fall into
// `max_concurrency` buckets by `shard_id % max_concurrency`; each bucket may start one session per 5 s,
// and buckets are independent. The interface is the seam: LocalIdentifyGate serves one host, a remote gate
// (the ShardCoordinator DO) serves many.
import type { Clock, Timer } from './clock.ts';
import { systemClock } from './clock.ts';

export interface IdentifyGate {
  /** Resolves when `shardId` may send Identify; rejects with the signal's reason when aborted. */
  acquire(shardId: number, signal?: AbortSignal): Promise<void>;
}

export interface LocalIdentifyGateOptions {
  maxConcurrency: number;
  windowMs?: number;
  clock?: Clock;
}

interface Waiter {
  resolve: () => void;
  signal: AbortSignal | undefined;
  onAbort: () => void;
}

interface Bucket {
  /** Earliest time the next identify in this bucket may go. */
  nextAt: number;
  queue: Waiter[];
  timer: Timer | null;
}

export class LocalIdentifyGate implements IdentifyGate {
  readonly #maxConcurrency: number;
  readonly #windowMs: number;
  readonly #clock: Clock;
  readonly #buckets = new Map<number, Bucket>();

  constructor(options: LocalIdentifyGateOptions) {
    if (!Number.isInteger(options.maxConcurrency) || options.maxConcurrency < 1) {
      throw new RangeError(`maxConcurrency must be a positive integer, got ${options.maxConcurrency}`);
    }
    this.#maxConcurrency = options.maxConcurrency;
    this.#windowMs = options.windowMs ?? 5_000;
    this.#clock = options.clock ?? systemClock;
  }

  acquire(shardId: number, signal?: AbortSignal): Promise<void> {
    const key = shardId % this.#maxConcurrency;
    let bucket = this.#buckets.get(key);
    if (!bucket) {
      bucket = { nextAt: 0, queue: [], timer: null };
      this.#buckets.set(key, bucket);
    }
    const b = bucket;
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const waiter: Waiter = {
        resolve,
        signal,
        onAbort: () => {
          // An aborted waiter gives its turn to the next one; it never consumed the slot.
          b.queue = b.queue.filter((w) => w !== waiter);
          reject(signal?.reason);
        },
      };
      signal?.addEventListener('abort', waiter.onAbort, { once: true });
      b.queue.push(waiter);
      this.#pump(b);
    });
  }

  #pump(bucket: Bucket): void {
    if (bucket.timer) return;
    const now = this.#clock.now();
    const next = bucket.queue[0];
    if (!next) return;
    if (now >= bucket.nextAt) {
      bucket.queue.shift();
      next.signal?.removeEventListener('abort', next.onAbort);
      bucket.nextAt = now + this.#windowMs;
      next.resolve();
      if (bucket.queue.length === 0) return;
    }
    bucket.timer = this.#clock.setTimeout(() => {
      bucket.timer = null;
      this.#pump(bucket);
    }, bucket.nextAt - now);
  }
}
