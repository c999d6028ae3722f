// Who may identify when: the seam between a shard and the one identify policy (coordination/identify*.ts,
// run by the ShardCoordinator DO for every host; lease/identify.ts is the host's end). Discord docs, Topics >
// Gateway > Sharding > Max Concurrency: shards fall into `max_concurrency` buckets by `shard_id %
// max_concurrency`; each bucket may start one session per 5 s, and buckets are independent.
//
// The gateway enforces the window on RECEIPT, and our sends do not arrive with the spacing we send them at:
// a busy event loop or network delays one Identify more than the next, and two arrive closer than 5 s.
// So by default the next identify of a bucket waits for the previous one's ANSWER (READY, op 9, or the
// connection ending), then a full window: the gateway handled the previous one before it answered, and
// handles the next one after we send it, so the gap it sees is at least the window, whatever the delays.
// The cost is one answer latency per step; the window margin covers a caller that never reports answers.

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
