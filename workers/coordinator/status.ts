// What GET /status.json answers: the lease table as an operator reads it. Built from the table's state.
import type { HostLoad } from '../../protocol/index.ts';
import type { LeaseTable } from '../../coordination/table.ts';

export interface ShardStatus {
  shard: number;
  owner: string | null;
  epoch: number;
  phase: string;
  state: string;
  latencyMs: number | null;
  guilds: number;
  lastEventAgeMs: number | null;
  seq: number | null;
  handoffTo: string | null;
}

export interface HostStatus {
  id: string;
  capacity: number;
  shards: number;
  connected: boolean;
  live: boolean;
  lastContactAgeMs: number;
  leaseExpiresInMs: number;
  /** The host's own figures from its last renewal (spool depth, oldest unacknowledged event, dead letters). */
  load: HostLoad | null;
}

export interface CoordinatorStatus {
  now: number;
  shardCount: number | null;
  leaseTtlMs: number;
  shards: ShardStatus[];
  hosts: HostStatus[];
  identify: {
    maxConcurrency: number;
    sessionStartTotal: number | null;
    sessionStartRemaining: number | null;
    resetsInMs: number | null;
    granted: number;
  };
}

export function statusOf(table: LeaseTable, now: number): CoordinatorStatus {
  const { hosts, shards, globals } = table.state;
  const owned = new Map<string, number>();
  for (const s of shards.values()) if (s.owner) owned.set(s.owner, (owned.get(s.owner) ?? 0) + 1);
  return {
    now,
    shardCount: globals.shardCount,
    leaseTtlMs: table.config.leaseTtlMs,
    shards: [...shards.values()]
      .sort((a, b) => a.shard - b.shard)
      .map((s) => ({
        shard: s.shard,
        owner: s.owner,
        epoch: s.epoch,
        phase: s.phase,
        state: s.state,
        latencyMs: s.latencyMs,
        guilds: s.guilds,
        lastEventAgeMs: s.lastEventAt === null ? null : Math.max(0, now - s.lastEventAt),
        seq: s.session?.seq ?? null,
        handoffTo: s.handoffTo,
      })),
    hosts: [...hosts.values()]
      .sort((a, b) => (a.id < b.id ? -1 : 1))
      .map((h) => ({
        id: h.id,
        capacity: h.capacity,
        shards: owned.get(h.id) ?? 0,
        connected: h.connected,
        live: table.isLive(h, now),
        lastContactAgeMs: Math.max(0, now - h.lastSeenAt),
        leaseExpiresInMs: h.leaseExpiresAt - now,
        load: h.load ?? null,
      })),
    identify: {
      maxConcurrency: globals.maxConcurrency,
      sessionStartTotal: globals.sessionStartTotal,
      sessionStartRemaining: globals.sessionStartRemaining,
      resetsInMs: globals.sessionStartResetAt === null ? null : Math.max(0, globals.sessionStartResetAt - now),
      granted: globals.identifiesGranted,
    },
  };
}
