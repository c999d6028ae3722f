// Coordinator mode, wired: the lease client over a WebSocket to the Worker, the pool that runs what it is
// assigned, the remote identify gate, and the coordinator-backed session store. main.ts builds this once
// and hands it the same shard factory it uses in static mode.
import type { GatewayLimits } from '../../protocol/index.ts';
import { LeaseClient } from './client.ts';
import { RemoteIdentifyGate } from './identify-gate.ts';
import { ShardPool, type ShardPoolDeps } from './pool.ts';
import { webSocketLease } from './transport.ts';

/** What the pool needs (shards, factory, sessions, spool, logger) plus the coordinator connection. */
export interface CoordinatedHostOptions extends Pick<
  ShardPoolDeps,
  'shards' | 'create' | 'sessions' | 'store' | 'spool' | 'logger'
> {
  coordinatorUrl: string;
  secret: string;
  hostId: string;
  capacity: number;
  shardCount: number;
  gateway: GatewayLimits;
}

export interface CoordinatedHost {
  client: LeaseClient;
  pool: ShardPool;
  identifyGate: RemoteIdentifyGate;
}

export function createCoordinatedHost(o: CoordinatedHostOptions): CoordinatedHost {
  const pool = new ShardPool({
    shards: o.shards,
    create: o.create,
    sessions: o.sessions,
    store: o.store,
    spool: o.spool,
    logger: o.logger,
  });
  const client = new LeaseClient({
    hostId: o.hostId,
    capacity: o.capacity,
    shardCount: o.shardCount,
    gateway: o.gateway,
    connect: webSocketLease({ url: o.coordinatorUrl, secret: o.secret, hostId: o.hostId }),
    runner: pool,
    logger: o.logger,
  });
  return { client, pool, identifyGate: new RemoteIdentifyGate(client) };
}
