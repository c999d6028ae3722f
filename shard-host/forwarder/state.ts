// One shard's delivery state: a union keyed by phase, so a shard cannot be in flight and backing off at
// once, and each phase carries only what it needs. Forwarder#transition is the only writer. Batching is
// per request, not per shard (pack.ts): an idle shard's events wait in the spool for the next request.
import type { Timer } from '../gateway/clock.ts';

/** A failed batch's remainder: re-sent before anything newer of its shard. */
export interface Remainder {
  /** Spool position of the failed batch's last event: the retry carries nothing past it. */
  through: number;
  /** Whole-batch failures in a row (no answer, 5xx, 429, 401): drive a capped backoff, never dead-letter. */
  batchFailures: number;
  /** Handler failures so far per event id (per-event `retry` in a 200 answer); the last allowed one dead-letters. */
  handlerFailures: ReadonlyMap<string, number>;
}

export type ShardDelivery =
  /** Nothing in flight; spooled events (if any) go with the next request. `remainder`: a retry that is due. */
  | { kind: 'idle'; remainder: Remainder | null }
  /** Part of request `request`: nothing newer of this shard is sent until it is answered (order per shard). */
  | { kind: 'in-flight'; request: number; since: number; events: number; remainder: Remainder | null }
  | { kind: 'backing-off'; until: number; timer: Timer; remainder: Remainder };

export type DeliveryPhase = ShardDelivery['kind'];

export const noRemainder = (through: number): Remainder => ({ through, batchFailures: 0, handlerFailures: new Map() });
