// The spool is the host's outbox: every dispatch is appended before it is forwarded, and leaves only when
// the Worker acknowledged it (or it was dead-lettered, or dropped past the size cap, loudly). Two
// implementations pass the same contract suite (test/node/spool/contract.ts): memory (tests, a host that
// accepts loss on restart) and file (durable, the default).
import type { EventEnvelope } from '../../protocol/index.ts';

export interface SpoolEntry {
  /** Position in its shard's log, assigned by the spool, increasing in append order. */
  pos: number;
  event: EventEnvelope;
  /** The event serialised once, reused as-is in every batch body that carries it. */
  json: string;
}

export interface SpoolDepth {
  events: number;
  /** Sum of the events' JSON lengths. */
  bytes: number;
  /** receivedAt of the oldest unacknowledged event, or null when empty. */
  oldestAt: number | null;
}

/** Why an event left the spool without an acknowledgement from the Worker. */
export interface SpoolDrop {
  entry: SpoolEntry;
  reason: string;
}

export interface Spool {
  /**
   * Records the event and returns its entry. Synchronous on purpose: when it returns, the record is in
   * the operating system (the file spool survives a crash of this process); `sync()` makes it survive a
   * power loss. Throws when the record cannot be written, so the shard resumes and the platform replays.
   * `json`, when given, is a JSON text of `event` the caller already has (gateway/envelope.ts splices the
   * payload's raw `d`); it is stored and sent as-is instead of JSON.stringify(event).
   */
  append(event: EventEnvelope, json?: string): SpoolEntry;
  /** Resolves once everything appended so far is as durable as the spool's durability setting promises. */
  sync(): Promise<void>;
  /**
   * The oldest unacknowledged entries of a shard, in append order, up to the limits (at least one when
   * any is pending), and none past position `throughPos` when given.
   */
  pending(shard: number, maxEvents: number, maxBytes: number, throughPos?: number): SpoolEntry[];
  /** Removes acknowledged (or dead-lettered) entries; unknown positions are ignored. */
  ack(shard: number, positions: readonly number[]): void;
  /** Shards that have unacknowledged events. */
  shards(): number[];
  depth(shard?: number): SpoolDepth;
  close(): Promise<void>;
}

export interface SpoolLimits {
  /** Past this many bytes the oldest events are dropped, each one reported to `onDrop`. */
  maxBytes: number;
  onDrop?: (drop: SpoolDrop) => void;
}
