// Host configuration from the names in DESIGN.md. Precedence: CLI flag > environment > .env file >
// default. A flag is the name without EDGESHARD_, lower-case, dashes: EDGESHARD_WORKER_URL → --worker-url.
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { GATEWAY_INTENTS } from '../protocol/discord-gateway.ts';
import { EdgeshardError, ERROR_CODES, MAX_BATCH_EVENTS, type Platform } from '../protocol/index.ts';
import { zstdAvailable } from './gateway/inflate.ts';
import type { Durability } from './spool/file.ts';
import { parseQQConfig, QQ_CONFIG_NAMES, type QQHostConfig } from './qq/config.ts';

export interface HostConfig {
  /** Discord's bot token; '' when this host runs QQ only (then `discord` is false). */
  token: string;
  /** Whether this host runs Discord shards (DISCORD_TOKEN is set). */
  discord: boolean;
  /** QQ settings when QQ_APP_ID and QQ_APP_SECRET are set: the host runs QQ shards too, and its egress relay
   *  adds these credentials to the Worker's access-token request (so QQ_APP_SECRET never crosses the relay). */
  qq: QQHostConfig | undefined;
  apiUrl: string;
  workerUrl: string;
  secret: string;
  hostId: string;
  intents: number;
  spoolDir: string;
  metricsPort: number;
  /** Total shard count; undefined means Discord's recommendation from /gateway/bot. */
  shardCount: number | undefined;
  /** EDGESHARD_SHARDS: the only shard ids this host may lease; undefined means any. */
  shardIds: number[] | undefined;
  compress: 'zlib-stream' | 'zstd-stream' | 'none';
  /** Backpressure: stop reading the gateway sockets while the spool holds this much; read again at half. */
  spoolHighWaterBytes: number;
  spoolHighWaterEvents: number;
  batchMaxEvents: number;
  batchMaxBytes: number;
  batchLingerMs: number;
  /** When the spool fsyncs: before each batch is sent, or every N ms. */
  spoolFsync: Durability;
  /** Past this size the spool drops its oldest events, each one counted and logged. */
  spoolMaxBytes: number;
  deadLetterFile: string;
  /** Handler failures of one event before it is dead-lettered (whole-batch failures never count). */
  maxAttempts: number;
  /** Where the lease connection goes (default: the Worker URL). Every host leases its shards there. */
  coordinatorUrl: string;
  /** Most shards this host runs; also its weight when shards are spread. */
  capacity: number;
  /** Egress relay port (platform API calls for the Worker leave from this host); undefined: no relay. */
  egressPort: number | undefined;
  /** Address the egress relay listens on (loopback by default: put TLS in front of it, issue 11). */
  egressHost: string;
}

const DEFAULT_INTENTS = GATEWAY_INTENTS.Guilds | GATEWAY_INTENTS.GuildMessages | GATEWAY_INTENTS.MessageContent;

/** Every name the host reads, with its default; docs/configuration.md lists the same names (a test checks). */
export const CONFIG_NAMES = {
  DISCORD_TOKEN: undefined,
  DISCORD_API_URL: 'https://discord.com/api/v10',
  EDGESHARD_WORKER_URL: 'http://127.0.0.1:8787',
  EDGESHARD_SECRET: undefined,
  EDGESHARD_HOST_ID: undefined,
  EDGESHARD_INTENTS: String(DEFAULT_INTENTS),
  EDGESHARD_SPOOL_DIR: '.edgeshard/spool',
  EDGESHARD_METRICS_PORT: '9464',
  EDGESHARD_SHARD_COUNT: undefined,
  EDGESHARD_SHARDS: undefined,
  EDGESHARD_COMPRESS: 'zlib-stream',
  EDGESHARD_SPOOL_HIGH_WATER_BYTES: '8388608',
  EDGESHARD_SPOOL_HIGH_WATER_EVENTS: '10000',
  EDGESHARD_BATCH_MAX_EVENTS: '100',
  EDGESHARD_BATCH_MAX_BYTES: '524288',
  EDGESHARD_BATCH_LINGER_MS: '50',
  EDGESHARD_SPOOL_FSYNC: 'batch',
  EDGESHARD_SPOOL_MAX_BYTES: '268435456',
  EDGESHARD_DEAD_LETTER_FILE: undefined,
  EDGESHARD_MAX_ATTEMPTS: '5',
  EDGESHARD_COORDINATOR_URL: undefined,
  EDGESHARD_CAPACITY: '100',
  EDGESHARD_EGRESS_PORT: undefined,
  EDGESHARD_EGRESS_HOST: '127.0.0.1',
  ...QQ_CONFIG_NAMES,
} as const satisfies Record<string, string | undefined>;

type Name = keyof typeof CONFIG_NAMES;

function invalid(message: string): never {
  throw new EdgeshardError(ERROR_CODES.CONFIG_INVALID, message);
}

export function flagName(name: string): string {
  return (
    '--' +
    name
      .replace(/^EDGESHARD_/, '')
      .toLowerCase()
      .replaceAll('_', '-')
  );
}

function parseFlags(argv: readonly string[]): Map<string, string> {
  const byFlag = new Map(Object.keys(CONFIG_NAMES).map((n) => [flagName(n), n]));
  const out = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.split(/=(.*)/s, 2) as [string, string | undefined];
    const name = byFlag.get(flag);
    if (!name) invalid(`unknown option ${flag}; known options: ${[...byFlag.keys()].join(', ')}`);
    const value = inline ?? argv[++i];
    if (value === undefined) invalid(`option ${flag} needs a value`);
    out.set(name, value);
  }
  return out;
}

function readDotEnv(path: string): Record<string, string> {
  try {
    return parseEnv(readFileSync(path, 'utf8')) as Record<string, string>;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw err;
  }
}

export function parseIntents(value: string): number {
  if (/^\d+$/.test(value.trim())) return Number(value);
  let bits = 0;
  const byName = new Map(Object.entries(GATEWAY_INTENTS).map(([k, v]) => [k.toLowerCase(), v]));
  for (const raw of value.split(',')) {
    const name = raw.trim().toLowerCase().replaceAll('_', '');
    if (!name) continue;
    const bit = byName.get(name);
    if (bit === undefined)
      invalid(
        `EDGESHARD_INTENTS: unknown intent "${raw.trim()}"; use a number or names like guilds,guild_messages,message_content`,
      );
    bits |= bit;
  }
  return bits;
}

/** `0-3,8` → [0,1,2,3,8]. */
export function parseShardList(value: string): number[] {
  const ids = new Set<number>();
  for (const part of value.split(',')) {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
    if (!m) invalid(`EDGESHARD_SHARDS: "${part}" is not a shard id or range like 0-3`);
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    if (to < from) invalid(`EDGESHARD_SHARDS: range "${part}" is backwards`);
    for (let i = from; i <= to; i++) ids.add(i);
  }
  return [...ids].sort((a, b) => a - b);
}

function positiveInt(name: Name, value: string, allowZero = false): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < (allowZero ? 0 : 1))
    invalid(`${name} must be a ${allowZero ? 'non-negative' : 'positive'} integer, got "${value}"`);
  return n;
}

/** `batch` (fsync before each batch is sent) or a number of ms (fsync on that interval). */
export function parseFsync(value: string): Durability {
  if (value === 'batch') return { mode: 'batch' };
  const ms = Number(value);
  if (!Number.isInteger(ms) || ms < 1)
    invalid(
      `EDGESHARD_SPOOL_FSYNC must be "batch" (fsync before each batch is sent) or an interval in ms like 100, got "${value}"`,
    );
  return { mode: 'interval', intervalMs: ms };
}

function onOff(name: Name, value: string): boolean {
  if (value === 'on') return true;
  if (value === 'off') return false;
  invalid(`${name} must be "on" or "off", got "${value}"`);
}

function url(name: Name, value: string): string {
  try {
    const u = new URL(value);
    if (!/^https?:$/.test(u.protocol)) invalid(`${name} must be an http(s) URL, got "${value}"`);
    return value.replace(/\/$/, '');
  } catch (err) {
    if (err instanceof EdgeshardError) throw err;
    invalid(`${name} is not a valid URL: "${value}"`);
  }
}

/** A name's value by the host's precedence: flag > environment > .env > default. */
export type ConfigReader = (name: Name) => string | undefined;

export function configReader(argv: readonly string[], env: NodeJS.ProcessEnv, dotEnvPath = '.env'): ConfigReader {
  const flags = parseFlags(argv);
  const dotEnv = readDotEnv(dotEnvPath);
  const removed = env.EDGESHARD_COORDINATOR ?? dotEnv.EDGESHARD_COORDINATOR;
  if (removed !== undefined && removed !== 'on')
    invalid(
      `EDGESHARD_COORDINATOR=${removed} is no longer a setting: every host takes its shards from the coordinator (DESIGN.md, guarantee 2). Remove it; to limit which shards this host runs, set EDGESHARD_SHARDS (e.g. 0-15) or EDGESHARD_CAPACITY`,
    );
  return (name) => flags.get(name) ?? env[name] ?? dotEnv[name] ?? CONFIG_NAMES[name];
}

export function readSecret(get: ConfigReader): string {
  const secret = get('EDGESHARD_SECRET');
  if (!secret)
    invalid(
      "EDGESHARD_SECRET is not set: use the same value as the Worker's secret (`wrangler secret put EDGESHARD_SECRET`)",
    );
  if (secret.length < 16)
    invalid('EDGESHARD_SECRET is too short: use at least 16 random characters (e.g. `openssl rand -hex 32`)');
  return secret;
}

export function readWorkerUrl(get: ConfigReader): string {
  return url('EDGESHARD_WORKER_URL', get('EDGESHARD_WORKER_URL')!);
}

export function readDeadLetterFile(get: ConfigReader): string {
  return get('EDGESHARD_DEAD_LETTER_FILE') ?? join(get('EDGESHARD_SPOOL_DIR')!, 'dead-letter.jsonl');
}

/** Where one platform's spool and dead letters live. */
export interface PlatformFiles {
  spoolDir: string;
  deadLetterFile: string;
}

/** Each platform keeps its own spool and dead letters (shard ids are per platform): Discord's where they
 *  always were (EDGESHARD_SPOOL_DIR, EDGESHARD_DEAD_LETTER_FILE), QQ's under `<EDGESHARD_SPOOL_DIR>/qq`. */
export function platformFiles(config: { spoolDir: string; deadLetterFile: string }, platform: Platform): PlatformFiles {
  if (platform === 'discord') return { spoolDir: config.spoolDir, deadLetterFile: config.deadLetterFile };
  const spoolDir = join(config.spoolDir, platform);
  return { spoolDir, deadLetterFile: join(spoolDir, 'dead-letter.jsonl') };
}

/** Capped at 100: with the 8 s handler backoff cap that already stalls a shard ~13 min behind one poison event. */
export function parseMaxAttempts(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 100)
    invalid(
      `EDGESHARD_MAX_ATTEMPTS must be an integer from 1 to 100 (tries of an event whose handler fails before it is dead-lettered; 5 by default), got "${value}"`,
    );
  return n;
}

export function loadConfig(argv: readonly string[], env: NodeJS.ProcessEnv, dotEnvPath = '.env'): HostConfig {
  const get = configReader(argv, env, dotEnvPath);

  // A host runs Discord, QQ, or both: whichever credentials it has.
  const token = get('DISCORD_TOKEN');
  const qq = parseQQConfig(get);
  if (!token && !qq)
    invalid(
      "neither DISCORD_TOKEN nor QQ_APP_ID + QQ_APP_SECRET is set: put a Discord bot token, a QQ bot's AppID and AppSecret, or both in the environment or .env (npm start without them runs the local emulator)",
    );
  const secret = readSecret(get);
  const compress = get('EDGESHARD_COMPRESS')!;
  if (compress !== 'zlib-stream' && compress !== 'zstd-stream' && compress !== 'none')
    invalid(`EDGESHARD_COMPRESS must be zlib-stream or none (or zstd-stream on Node ≥ 22.15), got "${compress}"`);
  if (compress === 'zstd-stream' && !zstdAvailable())
    invalid(
      `EDGESHARD_COMPRESS=zstd-stream needs Node ≥ 22.15 (zlib zstd support); this is ${process.version}: use zlib-stream`,
    );
  const shardCount = get('EDGESHARD_SHARD_COUNT');
  const shards = get('EDGESHARD_SHARDS');

  const config: HostConfig = {
    token: token ?? '',
    discord: token !== undefined && token !== '',
    qq,
    apiUrl: url('DISCORD_API_URL', get('DISCORD_API_URL')!),
    workerUrl: readWorkerUrl(get),
    secret,
    hostId: get('EDGESHARD_HOST_ID') ?? `${hostname()}-${process.pid}`,
    intents: parseIntents(get('EDGESHARD_INTENTS')!),
    spoolDir: get('EDGESHARD_SPOOL_DIR')!,
    metricsPort: positiveInt('EDGESHARD_METRICS_PORT', get('EDGESHARD_METRICS_PORT')!, true),
    shardCount: shardCount === undefined ? undefined : positiveInt('EDGESHARD_SHARD_COUNT', shardCount),
    shardIds: shards === undefined ? undefined : parseShardList(shards),
    compress,
    spoolHighWaterBytes: positiveInt('EDGESHARD_SPOOL_HIGH_WATER_BYTES', get('EDGESHARD_SPOOL_HIGH_WATER_BYTES')!),
    spoolHighWaterEvents: positiveInt('EDGESHARD_SPOOL_HIGH_WATER_EVENTS', get('EDGESHARD_SPOOL_HIGH_WATER_EVENTS')!),
    batchMaxEvents: positiveInt('EDGESHARD_BATCH_MAX_EVENTS', get('EDGESHARD_BATCH_MAX_EVENTS')!),
    batchMaxBytes: positiveInt('EDGESHARD_BATCH_MAX_BYTES', get('EDGESHARD_BATCH_MAX_BYTES')!),
    batchLingerMs: positiveInt('EDGESHARD_BATCH_LINGER_MS', get('EDGESHARD_BATCH_LINGER_MS')!, true),
    spoolFsync: parseFsync(get('EDGESHARD_SPOOL_FSYNC')!),
    spoolMaxBytes: positiveInt('EDGESHARD_SPOOL_MAX_BYTES', get('EDGESHARD_SPOOL_MAX_BYTES')!),
    deadLetterFile: readDeadLetterFile(get),
    maxAttempts: parseMaxAttempts(get('EDGESHARD_MAX_ATTEMPTS')!),
    coordinatorUrl: url('EDGESHARD_COORDINATOR_URL', get('EDGESHARD_COORDINATOR_URL') ?? get('EDGESHARD_WORKER_URL')!),
    capacity: positiveInt('EDGESHARD_CAPACITY', get('EDGESHARD_CAPACITY')!),
    egressPort:
      get('EDGESHARD_EGRESS_PORT') === undefined
        ? undefined
        : positiveInt('EDGESHARD_EGRESS_PORT', get('EDGESHARD_EGRESS_PORT')!, true),
    egressHost: get('EDGESHARD_EGRESS_HOST')!,
  };
  if (config.batchMaxEvents > MAX_BATCH_EVENTS)
    invalid(`EDGESHARD_BATCH_MAX_EVENTS must be at most ${MAX_BATCH_EVENTS} (the Worker refuses larger batches)`);
  if (config.shardCount !== undefined && config.shardIds?.some((id) => id >= config.shardCount!)) {
    invalid(`EDGESHARD_SHARDS names a shard id ≥ EDGESHARD_SHARD_COUNT (${config.shardCount})`);
  }
  return config;
}
