import type { EventEnvelope } from '../protocol/index.ts';
import type { RestProxy } from './durable-objects/rest-proxy.ts';
import type { ShardCoordinator } from './durable-objects/coordinator.ts';

/** Bindings from wrangler.toml ([vars], secrets, Durable Objects). Keep in step with the README table. */
export interface Env {
  EDGESHARD_SECRET: string;
  DISCORD_TOKEN?: string;
  DISCORD_API_URL: string;
  /** Hex Ed25519 public key of the Discord application (Developer Portal > General Information); checks /interactions. */
  DISCORD_PUBLIC_KEY?: string;
  /** QQ Bot AppID; when set, callbacks for another app (X-Bot-Appid) are refused with a clear error. */
  QQ_APP_ID?: string;
  /** QQ Bot AppSecret: the Ed25519 seed of callback signatures, and the OpenAPI access-token credential. */
  QQ_APP_SECRET?: string;
  /** QQ OpenAPI base (default https://api.sgroup.qq.com). */
  QQ_API_URL?: string;
  /** QQ access-token endpoint (default https://bots.qq.com/app/getAppAccessToken). */
  QQ_TOKEN_URL?: string;
  EDGESHARD_MAX_BATCH_BYTES?: string;
  /** Coordinator: lease TTL in ms (hosts renew every third of it). */
  EDGESHARD_LEASE_TTL_MS?: string;
  /** Coordinator: the platform's identify window per bucket in ms (Discord: 5000). */
  EDGESHARD_IDENTIFY_WINDOW_MS?: string;
  /** Enables GET /status and /status.json for requests that present it (Bearer, ?token= or cookie). */
  EDGESHARD_STATUS_TOKEN?: string;
  /** Bearer token of GET /metrics (Prometheus text); when unset, /metrics accepts EDGESHARD_STATUS_TOKEN. */
  EDGESHARD_METRICS_TOKEN?: string;
  /** Workers Analytics Engine dataset (optional; wrangler.toml): a data point per event and per REST call. */
  EDGESHARD_ANALYTICS?: AnalyticsEngineDataset;
  /** How long /events waits for an event's handlers before acknowledging it and finishing in waitUntil (ms). */
  EDGESHARD_HANDLER_BUDGET_MS?: string;
  /** `direct` (default): /events runs the handlers. `queue`: /events enqueues to EVENTS_QUEUE, the consumer runs them. */
  EDGESHARD_DELIVERY?: string;
  /** Queue mode only (wrangler.toml [env.queue]). */
  EVENTS_QUEUE?: Queue<EventEnvelope>;
  /** REST proxy: requests per second counted against Discord's global limit (default 50; raise only if Discord raised yours). */
  EDGESHARD_GLOBAL_RATE_LIMIT?: string;
  /** REST proxy: 401/403/429 answers allowed per 10 minutes before it sheds load (default 2500; Discord bans at 10,000). */
  EDGESHARD_INVALID_REQUEST_LIMIT?: string;
  /** Secret other programs may present instead of the bot token at /api/v10. */
  EDGESHARD_REST_PROXY_KEY?: string;
  /** A shard host's egress relay (http(s)://host:EDGESHARD_EGRESS_PORT); platform calls leave from there. */
  EDGESHARD_EGRESS_URL?: string;
  COORDINATOR: DurableObjectNamespace<ShardCoordinator>;
  REST_PROXY: DurableObjectNamespace<RestProxy>;
}
