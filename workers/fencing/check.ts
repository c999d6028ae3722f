// The /events route's one call: refuse a batch from a stale lease epoch with 409 stale_epoch.
import { EdgeshardError, ERROR_CODES, type EventBatch } from '../../protocol/index.ts';
import { coordinatorStub } from '../coordinator/stub.ts';
import type { Env } from '../env.ts';
import { EpochCache } from './epochs.ts';

/** How long an isolate trusts its cached epoch before asking the coordinator again. */
export const EPOCH_CACHE_TTL_MS = 5_000;

/** Per isolate, shared by every request it serves. */
const cache = new EpochCache(EPOCH_CACHE_TTL_MS);

export async function assertCurrentEpoch(env: Env, batch: EventBatch, now = Date.now()): Promise<void> {
  if (batch.events.length === 0) return;
  const verdict = await cache.check(
    batch.events.map((e) => e.shard),
    batch.epoch,
    coordinatorStub(env),
    now,
  );
  if (!verdict.ok) {
    throw new EdgeshardError(
      ERROR_CODES.STALE_EPOCH,
      `stale lease epoch ${batch.epoch} for shard ${verdict.shard} (current ${verdict.current}): host ${batch.host} no longer owns this shard; its new owner resumes the session and the platform replays these events to it`,
    );
  }
}
