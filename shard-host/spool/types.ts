// The spool is the host's outbox: every dispatch is appended before it is forwarded, and leaves only when
// the Worker acknowledged it. Implementations: memory (tests, a host that accepts loss on restart) and
// file (durable; issue "Event delivery that loses nothing").
import type { EventEnvelope } from '../../protocol/index.ts';

export interface SpoolEntry {
  event: EventEnvelope;
  /** The event serialised once, reused as-is in every batch body that carries it. */
  json: string;
}

export interface SpoolDepth {
  events: number;
  bytes: number;
  /** receivedAt of the oldest unacknowledged event, or null when empty. */
  oldestAt: number | null;
}

export interface Spool {
  append(event: EventEnvelope): void;
  /** The oldest unacknowledged entries of a shard, in sequence order, up to the limits (at least one). */
  pending(shard: number, maxEvents: number, maxBytes: number): SpoolEntry[];
  /** Removes acknowledged (or dead-lettered) events. */
  ack(shard: number, ids: ReadonlySet<string>): void;
  /** Shards that have unacknowledged events. */
  shards(): number[];
  depth(shard?: number): SpoolDepth;
  close(): Promise<void>;
}
