// The IdentifyGate of coordinator mode: every identify of every host goes through the coordinator's one
// queue (max_concurrency buckets, the platform's window, session_start_limit.remaining). A refusal carries
// retryAfterMs, so the shard waits without a socket (gateway/identify-gate.ts, retryAfterOf).
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
}
