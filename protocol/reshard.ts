// The operator's reshard request (`npx shard-host reshard`), POSTed to the Worker signed like an event batch
// (HMAC-SHA256 over `timestamp.body` with EDGESHARD_SECRET). One route for three asks: start a reshard to
// `shards`, `cancel` one that has not switched, or neither: report progress.
import { EdgeshardError, ERROR_CODES } from './errors.ts';

export const RESHARD_PATH = '/coordinator/reshard';

export type ReshardRequest = { shards: number } | { cancel: true } | Record<string, never>;

/** What the coordinator answers: its current shard count and the reshard's progress. */
export interface ReshardAnswer {
  shardCount: number | null;
  reshard: {
    kind: 'idle' | 'identifying' | 'switching' | 'done' | 'rolled-back';
    from: number | null;
    to: number | null;
    reason: string | null;
    startedAgoMs: number | null;
    ready: number;
    total: number;
    switchedAgoMs: number | null;
    why: string | null;
  };
}

export function parseReshardRequest(input: unknown): ReshardRequest {
  const bad = (why: string) => new EdgeshardError(ERROR_CODES.MALFORMED_PAYLOAD, `malformed reshard request: ${why}`);
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw bad('must be a JSON object');
  const o = input as Record<string, unknown>;
  if (o.cancel === true) return { cancel: true };
  if (o.shards === undefined) return {};
  if (typeof o.shards !== 'number' || !Number.isInteger(o.shards) || o.shards < 1 || o.shards > 65_536)
    throw bad('"shards" must be an integer from 1 to 65536');
  return { shards: o.shards };
}
