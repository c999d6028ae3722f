import type { EventEnvelope } from '../protocol/index.ts';

/**
 * The Worker's bindings. What wrangler.toml declares ([vars], Durable Objects, the queue) comes from
 * `npm run types` (wrangler types → worker-configuration.d.ts, committed; test/node/env-types.test.ts fails
 * when it is stale). Secrets and optional settings wrangler.toml cannot declare are listed here. Read them
 * through workers/config.ts (validated once per isolate), not directly. docs/configuration.md lists them (a test checks).
 */
export interface Env extends __BaseEnv_Env {
  EDGESHARD_SECRET: string;
  DISCORD_TOKEN?: string;
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
  /** `on`: QQ's sandbox API (https://sandbox.api.sgroup.qq.com) unless QQ_API_URL says otherwise. */
  QQ_SANDBOX?: string;
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
  /** Queue mode only (wrangler.toml [env.queue]; EDGESHARD_DELIVERY = "queue" there). */
  EVENTS_QUEUE?: Queue<EventEnvelope>;
  /** Secret other programs may present instead of the bot token at /api/v10. */
  EDGESHARD_REST_PROXY_KEY?: string;
  /** A shard host's egress relay (http(s)://host:EDGESHARD_EGRESS_PORT); platform calls leave from there. */
  EDGESHARD_EGRESS_URL?: string;
}
