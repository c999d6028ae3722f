// Everything the operator's console shows, gathered once: the lease table (ShardCoordinator, global), the
// REST proxy's stats (global) and this isolate's handler figures. /status, /status.json and /metrics read it.
import { coordinatorStub } from '../coordinator/stub.ts';
import type { CoordinatorStatus } from '../coordinator/status.ts';
import type { Registry } from '../dispatch/registry.ts';
import type { Env } from '../env.ts';
import type { MetricsSnapshot } from '../observability/metrics.ts';
import type { ProxyStats } from '../rest/proxy.ts';
import { restProxyStub } from '../rest/stub.ts';

export interface ConsoleData extends CoordinatorStatus {
  /** This isolate's handler figures (per isolate; see observability/metrics.ts). */
  worker: MetricsSnapshot;
  /** The REST proxy Durable Object's stats (one per bot: global). */
  rest: ProxyStats;
}

export async function consoleData(env: Env, registry: Registry): Promise<ConsoleData> {
  const [status, rest] = await Promise.all([coordinatorStub(env).status(), restProxyStub(env).stats()]);
  return { ...status, worker: registry.metrics.snapshot(registry.unhandled), rest };
}
