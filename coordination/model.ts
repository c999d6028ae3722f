// The lease table's rows, as the coordinator keeps them in memory and in SQLite (storage.ts). Times are the
// Durable Object's clock in Unix ms; hosts never compare them with their own clocks.
import type { HostLoad, SessionInfo } from '../protocol/index.ts';

export interface HostRow {
  id: string;
  /** Most shards this host runs; also its weight when shards are spread. */
  capacity: number;
  /** A lease connection is open (set on hello, cleared on close). Only connected hosts get new shards. */
  connected: boolean;
  /** Renewed on every hello/renew; past it the host is presumed dead and its shards move. */
  leaseExpiresAt: number;
  lastSeenAt: number;
  /** EDGESHARD_SHARDS of the host: the only shards it may be assigned; null: any. */
  allowed: ReadonlySet<number> | null;
  /** The host's own figures from its last hello or renewal (kept in memory only). */
  load?: HostLoad;
}

/**
 * Who runs a shard, keyed by phase so impossible rows cannot be written: unassigned (new, released, or its
 * host's lease expired), assigned (`owner` runs it at the row's epoch), handoff (`owner` was asked to release
 * it for `handoffTo` by `handoffDeadline`).
 */
export type ShardLease =
  | { phase: 'unassigned'; owner: null; handoffTo: null; handoffDeadline: null }
  | { phase: 'assigned'; owner: string; handoffTo: null; handoffDeadline: null }
  | { phase: 'handoff'; owner: string; handoffTo: string; handoffDeadline: number };

export type ShardPhase = ShardLease['phase'];

export const UNASSIGNED: ShardLease = { phase: 'unassigned', owner: null, handoffTo: null, handoffDeadline: null };

export function assignedTo(owner: string): ShardLease {
  return { phase: 'assigned', owner, handoffTo: null, handoffDeadline: null };
}

export function handingOff(owner: string, to: string, deadline: number): ShardLease {
  return { phase: 'handoff', owner, handoffTo: to, handoffDeadline: deadline };
}

/** What the owner last reported about the shard. */
export interface ShardReportFields {
  /** The last session the owner reported, with the last sequence the Worker acknowledged. */
  session: SessionInfo | null;
  /** As the owner reported it (ready, resuming, …), or what the coordinator did last (released, orphaned). */
  state: string;
  latencyMs: number | null;
  guilds: number;
  /** DO time of the last dispatch, derived from the host's reported age. */
  lastEventAt: number | null;
}

export type ShardRow = ShardLease &
  ShardReportFields & {
    shard: number;
    /** Fencing token: bumped on every assignment, never reset, never reused. */
    epoch: number;
    updatedAt: number;
  };

/** Values shared by all hosts: the shard count and the identify budget (Discord docs, Get Gateway Bot). */
export interface Globals {
  shardCount: number | null;
  maxConcurrency: number;
  sessionStartTotal: number | null;
  sessionStartRemaining: number | null;
  sessionStartResetAt: number | null;
  identifiesGranted: number;
}

export interface TableState {
  hosts: Map<string, HostRow>;
  shards: Map<number, ShardRow>;
  globals: Globals;
  /** Earliest DO time the next identify of each bucket (shard % maxConcurrency) may go. */
  buckets: Map<number, number>;
}

export interface CoordinatorConfig {
  leaseTtlMs: number;
  renewEveryMs: number;
  /** Spacing between two identifies of one bucket: the platform's window plus a margin for jitter. */
  identifySpacingMs: number;
  /** The platform's identify window: a bucket's next identify waits this long after the previous one's answer. */
  identifyWindowMs: number;
  /** Longest wait for a host to report an identify's answer before the bucket moves on. */
  identifyAnswerTimeoutMs: number;
  /** Most shards moving between hosts at once during a rebalance. */
  maxHandoffs: number;
}

export function emptyState(): TableState {
  return {
    hosts: new Map(),
    shards: new Map(),
    globals: {
      shardCount: null,
      maxConcurrency: 1,
      sessionStartTotal: null,
      sessionStartRemaining: null,
      sessionStartResetAt: null,
      identifiesGranted: 0,
    },
    buckets: new Map(),
  };
}

export function newShardRow(shard: number, now: number): ShardRow {
  return {
    shard,
    ...UNASSIGNED,
    epoch: 0,
    session: null,
    state: 'unassigned',
    latencyMs: null,
    guilds: 0,
    lastEventAt: null,
    updatedAt: now,
  };
}
