// The identify queue shared by every host (Discord docs, Topics > Gateway > Sharding > Max Concurrency, and
// Get Gateway Bot > Session Start Limit Object): shards fall into `max_concurrency` buckets by
// shard_id % max_concurrency, each bucket starts one session per window, and `session_start_limit.remaining`
// must not go below zero. A slot is reserved here and handed out as a relative wait, so no host clock is
// ever compared with ours. Resumes never ask: they need no slot.
import type { Globals } from './model.ts';

export const DAY_MS = 24 * 60 * 60 * 1000;

export type IdentifyDecision =
  { kind: 'grant'; waitMs: number } | { kind: 'wait'; retryAfterMs: number; reason: string };

/** Mutates `globals` and `buckets` when it grants; pure otherwise. */
export function reserveIdentify(
  shard: number,
  now: number,
  globals: Globals,
  buckets: Map<number, number>,
  spacingMs: number,
): IdentifyDecision {
  if (
    globals.sessionStartResetAt !== null &&
    now >= globals.sessionStartResetAt &&
    globals.sessionStartTotal !== null
  ) {
    globals.sessionStartRemaining = globals.sessionStartTotal;
    globals.sessionStartResetAt = null;
  }
  if (globals.sessionStartRemaining !== null && globals.sessionStartRemaining <= 0) {
    const resetAt = globals.sessionStartResetAt ?? now + DAY_MS;
    return {
      kind: 'wait',
      retryAfterMs: Math.max(1_000, resetAt - now),
      reason:
        'session_start_limit.remaining is 0 for this bot: no identify until the limit resets (resumes still work)',
    };
  }
  const bucket = shard % Math.max(1, globals.maxConcurrency);
  const slot = Math.max(now, buckets.get(bucket) ?? 0);
  buckets.set(bucket, slot + spacingMs);
  if (globals.sessionStartRemaining !== null) {
    if (globals.sessionStartResetAt === null) globals.sessionStartResetAt = now + DAY_MS;
    globals.sessionStartRemaining--;
  }
  globals.identifiesGranted++;
  return { kind: 'grant', waitMs: slot - now };
}

/**
 * Folds a host's fresh GET /gateway/bot figures into the shared budget: the platform's number wins when
 * ours has reset or is unknown; otherwise the lower of the two (grants in flight are not in the host's).
 */
export function mergeSessionStartLimit(
  globals: Globals,
  now: number,
  total: number,
  remaining: number,
  resetAfterMs: number,
): void {
  globals.sessionStartTotal = total;
  const ours = globals.sessionStartRemaining;
  const expired = globals.sessionStartResetAt !== null && now >= globals.sessionStartResetAt;
  if (ours === null || expired || remaining < ours) {
    globals.sessionStartRemaining = remaining;
    globals.sessionStartResetAt = remaining < total ? now + resetAfterMs : null;
  }
}
