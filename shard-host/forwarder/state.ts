// One shard's delivery state: a union keyed by phase, so a shard cannot be in flight and backing off at
// once, and each phase carries only what it needs. Forwarder#transition is the only writer.
import type { Timer } from '../gateway/clock.ts';

/** A failed batch's remainder: re-sent alone, before anything newer of its shard. */
export interface Remainder {
  /** Spool position of the failed batch's last event: the retry carries nothing past it. */
  through: number;
  /** Whole-batch failures in a row (no answer, 5xx, 429, 401): drive a capped backoff, never dead-letter. */
  batchFailures: number;
  /** Handler failures so far per event id (per-event `retry` in a 200 answer); the last allowed one dead-letters. */
  handlerFailures: ReadonlyMap<string, number>;
}

interface Common {
  /** Events per batch: the configured maximum, lowered after a 413 so later batches fit the Worker's limit. */
  maxEvents: number;
}

export type ShardDelivery = Common &
  (
    | { kind: 'idle' }
    /** Fresh events younger than the linger: waiting for the batch to fill. */
    | { kind: 'lingering'; until: number; timer: Timer }
    /** Due to send, but maxInFlight shards are sending: first come, first served when a slot frees. */
    | { kind: 'queued'; ticket: number; remainder: Remainder | null }
    | { kind: 'in-flight'; since: number; events: number; remainder: Remainder | null }
    | { kind: 'backing-off'; until: number; timer: Timer; remainder: Remainder }
  );

export type DeliveryPhase = ShardDelivery['kind'];

export const noRemainder = (through: number): Remainder => ({ through, batchFailures: 0, handlerFailures: new Map() });
