// One identify in flight per bucket. A grant's spacing alone (identify.ts) is counted from the grant, but the
// gateway counts from RECEIPT, and a grant travels coordinator → host → gateway with delays that differ per
// host (a busy event loop, another region): two identifies can arrive closer than the window. So, like the
// host's local gate (shard-host/gateway/identify-gate.ts), the bucket's next identify waits for the previous
// one's answer (READY, op 9, or its connection ending), reported by the host, and a window from then: the
// gateway handled the previous identify before it answered, and sees the next one after our grant reaches it.
// Requests that must wait are queued here, in memory: a coordinator restart loses the queue, and hosts ask
// again (shard-host/lease/client.ts, IDENTIFY_REASK_MS) with the same id, which keeps a queued request's place.

export interface IdentifyRequest {
  host: string;
  id: number;
  shard: number;
  epoch: number;
}

interface Awaiting {
  host: string;
  shard: number;
  /** Past it, the bucket stops waiting for this answer (a host that never reports one). */
  deadline: number;
}

interface BucketQueue {
  awaiting: Awaiting | null;
  waiting: IdentifyRequest[];
}

export class IdentifyQueue {
  readonly #buckets = new Map<number, BucketQueue>();

  #bucket(bucket: number): BucketQueue {
    let q = this.#buckets.get(bucket);
    if (!q) this.#buckets.set(bucket, (q = { awaiting: null, waiting: [] }));
    return q;
  }

  /** Queues the request when the bucket awaits another identify's answer (or others wait before it). */
  mustWait(bucket: number, req: IdentifyRequest): boolean {
    const q = this.#bucket(bucket);
    const queued = q.waiting.findIndex((w) => w.host === req.host && w.shard === req.shard);
    if (queued >= 0) {
      q.waiting[queued] = req; // asked again: same place, latest id and epoch
      return true;
    }
    if (q.awaiting === null && q.waiting.length === 0) return false;
    q.waiting.push(req);
    return true;
  }

  /** A grant to a host that reports answers: the bucket waits for it until `deadline`. */
  granted(bucket: number, host: string, shard: number, deadline: number): void {
    this.#bucket(bucket).awaiting = { host, shard, deadline };
  }

  /** Clears the bucket's wait if it was for this host's shard; true when it was. */
  answered(bucket: number, host: string, shard: number): boolean {
    const q = this.#buckets.get(bucket);
    if (!q?.awaiting || q.awaiting.host !== host || q.awaiting.shard !== shard) return false;
    q.awaiting = null;
    return true;
  }

  /** The next request to serve, once nothing is awaited. */
  next(bucket: number): IdentifyRequest | undefined {
    const q = this.#buckets.get(bucket);
    if (!q || q.awaiting) return undefined;
    return q.waiting.shift();
  }

  /** Forgets a disconnected host's requests (its waiters were rejected); returns buckets it was awaited in. */
  dropHost(host: string): number[] {
    const freed: number[] = [];
    for (const [bucket, q] of this.#buckets) {
      q.waiting = q.waiting.filter((w) => w.host !== host);
      if (q.awaiting?.host === host) {
        q.awaiting = null;
        freed.push(bucket);
      }
    }
    return freed;
  }

  /** Buckets whose awaited answer is overdue; their wait ends. */
  expire(now: number): number[] {
    const freed: number[] = [];
    for (const [bucket, q] of this.#buckets) {
      if (q.awaiting && q.awaiting.deadline <= now) {
        q.awaiting = null;
        freed.push(bucket);
      }
    }
    return freed;
  }

  /** The earliest answer deadline that holds someone back, for the alarm. */
  nextDeadline(): number | null {
    let next: number | null = null;
    for (const q of this.#buckets.values()) {
      if (q.awaiting && q.waiting.length > 0 && (next === null || q.awaiting.deadline < next))
        next = q.awaiting.deadline;
    }
    return next;
  }

  waiting(): number {
    let n = 0;
    for (const q of this.#buckets.values()) n += q.waiting.length;
    return n;
  }
}
