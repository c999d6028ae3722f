// ShardCoordinator: will own the lease table, the identify queue and session storage for all hosts
// (issue "ShardCoordinator Durable Object"). Until then it only reports that it is not active, so a
// host or handler that relies on it gets a clear answer instead of silence.
import { DurableObject } from 'cloudflare:workers';
import type { Env } from '../env.ts';

export class ShardCoordinator extends DurableObject<Env> {
  status(): { active: false; reason: string } {
    return { active: false, reason: 'the coordinator is not implemented in this version; each host serves all shards it is configured for' };
  }
}
