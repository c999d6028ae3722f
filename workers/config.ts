// The Worker's settings, read and validated once per isolate (per `env` object) into a typed config. A
// setting that is missing or malformed is kept as the error that names its fix, and thrown only by the
// routes that need it: a bad QQ_APP_SECRET must not take /interactions down.
import { EdgeshardError, ERROR_CODES } from '../protocol/index.ts';
import type { Env } from './env.ts';

/** The host refuses shorter secrets too (shard-host/config.ts): one rule on both ends of the HMAC. */
export const MIN_SECRET_LENGTH = 16;
/** 1 MiB: twice the host's default EDGESHARD_BATCH_MAX_BYTES, so a default batch always fits. */
export const DEFAULT_MAX_BATCH_BYTES = 1024 * 1024;

export type Setting<T> = { ok: true; value: T } | { ok: false; error: EdgeshardError };

export interface WorkerConfig {
  /** EDGESHARD_SECRET: HMAC key of /events, /coordinator/connect and the egress relay. */
  secret: Setting<string>;
  maxBatchBytes: Setting<number>;
  /** REST proxy: requests per second against Discord's global limit (EDGESHARD_GLOBAL_RATE_LIMIT, default 50). */
  globalRateLimit: Setting<number>;
  /** REST proxy: 401/403/429 answers per 10 minutes before it sheds load (EDGESHARD_INVALID_REQUEST_LIMIT, default 2500). */
  invalidRequestLimit: Setting<number>;
  /** Hex Ed25519 public key for /interactions. */
  discordPublicKey: Setting<string>;
  /** QQ_APP_SECRET: the Ed25519 seed of QQ callback signatures. */
  qqAppSecret: Setting<string>;
  /** Secrets accepted at /api/v10 (bot token, EDGESHARD_REST_PROXY_KEY); empty: the proxy is closed. */
  restCredentials: string[];
  restProxyKey: string | undefined;
  statusToken: string | undefined;
  /** GET /metrics; when unset, /metrics accepts statusToken. */
  metricsToken: string | undefined;
}

const ok = <T>(value: T): Setting<T> => ({ ok: true, value });
const bad = <T>(message: string): Setting<T> => ({
  ok: false,
  error: new EdgeshardError(ERROR_CODES.CONFIG_INVALID, message),
});

function secretSetting(raw: string | undefined): Setting<string> {
  if (!raw)
    return bad(
      'EDGESHARD_SECRET is not set on the Worker: `wrangler secret put EDGESHARD_SECRET` (or .dev.vars locally)',
    );
  if (raw.length < MIN_SECRET_LENGTH)
    return bad(
      `EDGESHARD_SECRET must be at least ${MIN_SECRET_LENGTH} characters (as on the host): generate one with \`openssl rand -hex 32\` and set it on the Worker and every host`,
    );
  return ok(raw);
}

function positiveInt(name: string, raw: string | undefined, fallback: number): Setting<number> {
  if (raw === undefined || raw.trim() === '') return ok(fallback);
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1)
    return bad(`${name} must be a positive integer in wrangler.toml [vars], got "${raw}"`);
  return ok(n);
}

function positive(name: string, raw: string | undefined, fallback: number): Setting<number> {
  if (raw === undefined || raw === '') return ok(fallback);
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0)
    return bad(`${name} must be a positive number, got "${raw}": fix it in wrangler.toml [vars]`);
  return ok(n);
}

export function readConfig(env: Env): WorkerConfig {
  return {
    secret: secretSetting(env.EDGESHARD_SECRET),
    maxBatchBytes: positive('EDGESHARD_MAX_BATCH_BYTES', env.EDGESHARD_MAX_BATCH_BYTES, DEFAULT_MAX_BATCH_BYTES),
    globalRateLimit: positiveInt('EDGESHARD_GLOBAL_RATE_LIMIT', env.EDGESHARD_GLOBAL_RATE_LIMIT, 50),
    invalidRequestLimit: positiveInt('EDGESHARD_INVALID_REQUEST_LIMIT', env.EDGESHARD_INVALID_REQUEST_LIMIT, 2500),
    discordPublicKey: env.DISCORD_PUBLIC_KEY
      ? ok(env.DISCORD_PUBLIC_KEY.trim())
      : bad(
          'DISCORD_PUBLIC_KEY is not set on the Worker: copy the public key from Developer Portal > General Information into [vars] (or .dev.vars)',
        ),
    qqAppSecret: env.QQ_APP_SECRET
      ? ok(env.QQ_APP_SECRET)
      : bad(
          'QQ_APP_SECRET is not set on the Worker: `wrangler secret put QQ_APP_SECRET` with the AppSecret from the QQ Bot console (or .dev.vars locally)',
        ),
    restCredentials: [env.DISCORD_TOKEN, env.EDGESHARD_REST_PROXY_KEY].filter((s): s is string => !!s),
    restProxyKey: env.EDGESHARD_REST_PROXY_KEY || undefined,
    statusToken: env.EDGESHARD_STATUS_TOKEN || undefined,
    metricsToken: env.EDGESHARD_METRICS_TOKEN || undefined,
  };
}

// Per `env` object: one per isolate in production; tests that pass their own bindings get their own.
const cache = new WeakMap<Env, WorkerConfig>();

export function configOf(env: Env): WorkerConfig {
  let config = cache.get(env);
  if (!config) {
    config = readConfig(env);
    cache.set(env, config);
  }
  return config;
}

/** The setting's value, or its configuration error (a 500 naming the fix). */
export function need<T>(setting: Setting<T>): T {
  if (!setting.ok) throw setting.error;
  return setting.value;
}
