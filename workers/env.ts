import type { RestProxy } from './durable-objects/rest-proxy.ts';
import type { ShardCoordinator } from './durable-objects/coordinator.ts';

/** Bindings from wrangler.toml ([vars], secrets, Durable Objects). Keep in step with the README table. */
export interface Env {
  EDGESHARD_SECRET: string;
  DISCORD_TOKEN?: string;
  DISCORD_API_URL: string;
  DISCORD_PUBLIC_KEY?: string;
  EDGESHARD_MAX_BATCH_BYTES?: string;
  COORDINATOR: DurableObjectNamespace<ShardCoordinator>;
  REST_PROXY: DurableObjectNamespace<RestProxy>;
}
