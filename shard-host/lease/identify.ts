// Identify slots from the coordinator's one queue (coordination/identify*.ts): max_concurrency buckets, the
// platform's window, session_start_limit.remaining. A request is answered with a grant (a relative wait,
// so no clock is compared across machines) or a wait (carried as retryAfterMs, so the shard waits without
// a socket). The shard reports when its identify was answered (READY, op 9, connection ended): the
// coordinator starts the bucket's next window from then.
import { LEASE_PROTOCOL_VERSION as v, type HostMessage } from '../../protocol/index.ts';
import { sleep, type Clock, type Timer } from '../gateway/clock.ts';
import type { IdentifyGate } from '../gateway/identify-gate.ts';

/** An identify request the coordinator refused for now; carries retryAfterMs for the shard (retryAfterOf). */
export class IdentifyDeferred extends Error {
  readonly retryAfterMs: number;
  constructor(message: string, retryAfterMs: number) {
    super(message);
    this.name = 'IdentifyDeferred';
    this.retryAfterMs = retryAfterMs;
  }
}

/** A queued identify request is sent again this often, in case the coordinator lost its queue (restart). */
export const IDENTIFY_REASK_MS = 20_000;

interface Waiter {
  shard: number;
  resolve(waitMs: number): void;
  reject(err: unknown): void;
}

export interface IdentifyDeps {
  clock: Clock;
  send(msg: HostMessage): boolean;
  /** The epoch this host holds the shard at, or undefined. */
  epoch(shard: number): number | undefined;
  /** Retry hint when the shard is not leased here. */
  notLeasedRetryMs(): number;
  /** The coordinator's welcome said it waits for answers. */
  answersWanted(): boolean;
}

export class IdentifyRequests implements IdentifyGate {
  readonly #d: IdentifyDeps;
  readonly #waiting = new Map<number, Waiter>();
  /** Shards whose identify was granted and not answered yet. */
  readonly #unanswered = new Set<number>();
  #nextId = 1;

  constructor(deps: IdentifyDeps) {
    this.#d = deps;
  }

  /** Resolves when the shard may send Identify (the grant's wait is done here). */
  async acquire(shard: number, signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    const epoch = this.#d.epoch(shard);
    if (epoch === undefined)
      throw new IdentifyDeferred(`shard ${shard} is not leased to this host`, this.#d.notLeasedRetryMs());
    const id = this.#nextId++;
    let reask: Timer | null = null;
    const waitMs = await new Promise<number>((resolve, reject) => {
      const done = () => {
        reask?.cancel();
        signal?.removeEventListener('abort', onAbort);
      };
      const onAbort = () => {
        done();
        this.#waiting.delete(id);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiting.set(id, {
        shard,
        resolve: (ms) => (done(), resolve(ms)),
        reject: (err) => (done(), reject(err)),
      });
      // The coordinator queues the request while the bucket's previous identify awaits its answer; the same
      // id asked again keeps its place there, and is served anew if the coordinator restarted meanwhile.
      const ask = (): boolean => this.#d.send({ v, type: 'identify', id, shard, epoch });
      const again = () => {
        reask = this.#d.clock.setTimeout(() => (this.#waiting.has(id) && ask(), again()), IDENTIFY_REASK_MS);
      };
      if (!ask()) {
        done();
        this.#waiting.delete(id);
        return reject(new IdentifyDeferred('the coordinator is not connected; asking again shortly', 1_000));
      }
      again();
    });
    this.#unanswered.add(shard);
    await sleep(this.#d.clock, waitMs, signal);
  }

  answered(shard: number): void {
    if (!this.#unanswered.delete(shard) || !this.#d.answersWanted()) return;
    const epoch = this.#d.epoch(shard);
    if (epoch !== undefined) this.#d.send({ v, type: 'answered', shard, epoch });
  }

  granted(id: number, waitMs: number): void {
    const w = this.#waiting.get(id);
    this.#waiting.delete(id);
    w?.resolve(waitMs);
  }

  deferred(id: number, reason: string, retryAfterMs: number): void {
    const w = this.#waiting.get(id);
    this.#waiting.delete(id);
    w?.reject(new IdentifyDeferred(`coordinator: ${reason}`, retryAfterMs));
  }

  /** The link closed: every waiting request asks again shortly. */
  rejectAll(): void {
    for (const [id, w] of this.#waiting) {
      this.#waiting.delete(id);
      w.reject(new IdentifyDeferred('the coordinator connection closed; asking again shortly', 1_000));
    }
  }

  forget(shard: number): void {
    this.#unanswered.delete(shard);
  }
}
