// The IdentifyGate of coordinator mode: every identify of every host goes through the coordinator's one
// queue (max_concurrency buckets, the platform's window, session_start_limit.remaining). A refusal carries
// retryAfterMs, so the shard waits without a socket (gateway/identify-gate.ts, retryAfterOf). Answers go
// back to the coordinator, which starts the bucket's next window from them (workers/coordinator/identify-queue.ts).
import type { IdentifyGate } from '../gateway/identify-gate.ts';
import type { LeaseClient } from './client.ts';

export class RemoteIdentifyGate implements IdentifyGate {
  readonly #client: LeaseClient;

  constructor(client: LeaseClient) {
    this.#client = client;
  }

  acquire(shardId: number, signal?: AbortSignal): Promise<void> {
    return this.#client.acquireIdentify(shardId, signal);
  }

  /** Like the local gate, the coordinator spaces a bucket's identifies from the previous one's answer:
   *  the gateway handled that identify before it answered, so the gap it sees is at least the window
   *  whatever the delays between the coordinator, the hosts and the gateway. */
  answered(shardId: number): void {
    this.#client.identifyAnswered(shardId);
  }
}
