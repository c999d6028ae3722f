// Where this host's shards come from, wired: the lease client over a link to the coordinator's policy, and
// the pool that runs what it is assigned. The link is the seam: `webSocketLease` (transport.ts) reaches the
// ShardCoordinator DO, which every deployed host uses; `InProcessCoordinator` (in-process.ts) runs the same
// policy in this process for unit tests and benchmarks. Nothing else differs.
import type { GatewayLimits, HostLoad } from '../../protocol/index.ts';
import type { Clock } from '../gateway/clock.ts';
import { LeaseClient } from './client.ts';
import { ShardPool, type ShardPoolDeps } from './pool.ts';
import type { LeaseConnect } from './transport.ts';

export interface LeasedHostOptions extends Pick<ShardPoolDeps, 'shards' | 'create' | 'sessions' | 'spool' | 'logger'> {
  connect: LeaseConnect;
  hostId: string;
  capacity: number;
  shardCount: number;
  allowedShards?: number[] | undefined;
  gateway: GatewayLimits;
  load?: () => HostLoad;
  clock?: Clock;
}

export interface LeasedHost {
  client: LeaseClient;
  pool: ShardPool;
}

export function createLeasedHost(o: LeasedHostOptions): LeasedHost {
  const pool = new ShardPool({
    shards: o.shards,
    create: o.create,
    sessions: o.sessions,
    spool: o.spool,
    logger: o.logger,
    ...(o.clock ? { clock: o.clock } : {}),
  });
  const client = new LeaseClient({
    hostId: o.hostId,
    capacity: o.capacity,
    shardCount: o.shardCount,
    allowedShards: o.allowedShards,
    gateway: o.gateway,
    connect: o.connect,
    runner: pool,
    logger: o.logger,
    ...(o.load ? { load: o.load } : {}),
    ...(o.clock ? { clock: o.clock } : {}),
  });
  return { client, pool };
}
