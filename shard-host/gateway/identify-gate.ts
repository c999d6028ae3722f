// Who may identify when. Discord docs, Topics > Gateway > Sharding > Max Concurrency: shards fall into
// `max_concurrency` buckets by `shard_id % max_concurrency`; each bucket may start one session per 5 s,
// and buckets are independent. The interface is the seam: LocalIdentifyGate serves one host, a remote gate
// (the ShardCoordinator DO) serves many.
//
// The gateway enforces the window on RECEIPT, and our sends do not arrive with the spacing we send them at:
// a busy event loop or network delays one Identify more than the next, and two arrive closer than 5 s.
// So by default the next identify of a bucket waits for the previous one's ANSWER (READY, op 9, or the
// connection ending), then a full window: the gateway handled the previous one before it answered, and
// handles the next one after we send it, so the gap it sees is at least the window, whatever the delays.
// The cost is one answer latency per step; the window margin covers a caller that never reports answers.
import type { Clock, Timer } from './clock.ts';
import { systemClock } from './clock.ts';

export interface IdentifyGate {
  /** Resolves when `shardId` may send Identify; rejects with the signal's reason when aborted. A rejection
   *  carrying `retryAfterMs` (see retryAfterOf) means "not before then": the shard waits without a socket. */
  acquire(shardId: number, signal?: AbortSignal): Promise<void>;
  /** The identify `shardId` was allowed has been answered (READY, op 9) or its connection ended. */
  answered?(shardId: number): void;
}

/** The wait a gate's rejection asks for, if it names one. */
export function retryAfterOf(err: unknown): number | undefined {
  const ms = (err as { retryAfterMs?: unknown } | null)?.retryAfterMs;
  return typeof ms === 'number' && ms >= 0 ? ms : undefined;
}

export interface LocalIdentifyGateOptions {
  maxConcurrency: number;
  /** Discord's window is 5 s. */
  windowMs?: number;
  /** Added to the window counted from a grant. Default 1% of the window (50 ms for 5 s). */
  marginMs?: number;
  /** 'answer' (default): also wait for the previous identify's answer, then a window (see above).
   *  'send': space grants only (for callers that do not report answers). */
  spacing?: 'answer' | 'send';
  /** Longest wait for an answer before the bucket moves on anyway. Default 15 s. */
  answerTimeoutMs?: number;
  clock?: Clock;
}

interface Waiter {
  shardId: number;
  resolve: () => void;
  signal: AbortSignal | undefined;
  onAbort: () => void;
}

interface Bucket {
  /** Earliest time the next identify in this bucket may go. */
  nextAt: number;
  queue: Waiter[];
  timer: Timer | null;
  /** Shard whose identify is granted but not answered yet ('answer' spacing). */
  awaiting: { shardId: number; timeout: Timer } | null;
}

export class LocalIdentifyGate implements IdentifyGate {
  readonly #maxConcurrency: number;
  readonly #windowMs: number;
  readonly #marginMs: number;
  readonly #byAnswer: boolean;
  readonly #answerTimeoutMs: number;
  readonly #clock: Clock;
  readonly #buckets = new Map<number, Bucket>();

  constructor(options: LocalIdentifyGateOptions) {
    if (!Number.isInteger(options.maxConcurrency) || options.maxConcurrency < 1) {
      throw new RangeError(`maxConcurrency must be a positive integer, got ${options.maxConcurrency}`);
    }
    this.#maxConcurrency = options.maxConcurrency;
    this.#windowMs = options.windowMs ?? 5_000;
    this.#marginMs = options.marginMs ?? Math.ceil(this.#windowMs / 100);
    this.#byAnswer = (options.spacing ?? 'answer') === 'answer';
    this.#answerTimeoutMs = options.answerTimeoutMs ?? 15_000;
    this.#clock = options.clock ?? systemClock;
  }

  acquire(shardId: number, signal?: AbortSignal): Promise<void> {
    const b = this.#bucket(shardId);
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const waiter: Waiter = {
        shardId,
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

  answered(shardId: number): void {
    const b = this.#buckets.get(shardId % this.#maxConcurrency);
    if (!b?.awaiting || b.awaiting.shardId !== shardId) return;
    this.#release(b, true);
  }

  #bucket(shardId: number): Bucket {
    const key = shardId % this.#maxConcurrency;
    let bucket = this.#buckets.get(key);
    if (!bucket) {
      bucket = { nextAt: 0, queue: [], timer: null, awaiting: null };
      this.#buckets.set(key, bucket);
    }
    return bucket;
  }

  /** The previous identify was answered (or we stopped waiting): a full window from now. */
  #release(bucket: Bucket, answered: boolean): void {
    bucket.awaiting?.timeout.cancel();
    bucket.awaiting = null;
    if (answered) bucket.nextAt = Math.max(bucket.nextAt, this.#clock.now() + this.#windowMs);
    this.#pump(bucket);
  }

  #pump(bucket: Bucket): void {
    if (bucket.timer || bucket.awaiting) return;
    const now = this.#clock.now();
    const next = bucket.queue[0];
    if (!next) return;
    if (now >= bucket.nextAt) {
      bucket.queue.shift();
      next.signal?.removeEventListener('abort', next.onAbort);
      bucket.nextAt = now + this.#windowMs + this.#marginMs;
      next.resolve();
      if (this.#byAnswer) {
        bucket.awaiting = {
          shardId: next.shardId,
          timeout: this.#clock.setTimeout(() => this.#release(bucket, false), this.#answerTimeoutMs),
        };
        return;
      }
      if (bucket.queue.length === 0) return;
    }
    bucket.timer = this.#clock.setTimeout(() => {
      bucket.timer = null;
      this.#pump(bucket);
    }, bucket.nextAt - now);
  }
}
