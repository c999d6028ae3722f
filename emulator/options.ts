// Emulator options and their defaults. Everything the emulator does is driven by these numbers, so tests
// can shrink windows (identify spacing, rate-limit windows) instead of waiting for Discord's real values.
import { GatewayIntentBits } from 'discord-api-types/v10';

export interface EmulatorOptions {
  host?: string;
  port?: number;
  token?: string;
  shards?: number;
  maxConcurrency?: number;
  guilds?: number;
  channelsPerGuild?: number;
  users?: number;
  seed?: number;
  messageRate?: number;
  identifyWindowMs?: number;
  heartbeatIntervalMs?: number;
  sessionStartTotal?: number;
  sessionTimeoutMs?: number;
  resumeBufferSize?: number;
  messageLimit?: { limit: number; windowMs: number };
  /** Per-route limit overrides keyed by route ('PUT /channels/:channel_id/messages/:message_id/reactions/:emoji/@me'). */
  restLimits?: Record<string, { limit?: number; windowMs?: number; sharedLimit?: number; sharedWindowMs?: number }>;
  globalLimit?: number;
  privilegedIntents?: number;
  /** A shard whose share of the guilds is above this is closed with 4011 (sharding required); 0: never. */
  guildsPerShardLimit?: number;
}

export type ResolvedOptions = Required<EmulatorOptions>;

export const PRIVILEGED_INTENTS =
  GatewayIntentBits.GuildMembers | GatewayIntentBits.GuildPresences | GatewayIntentBits.MessageContent;

export function resolveOptions(options: EmulatorOptions = {}): ResolvedOptions {
  const shards = options.shards ?? 2;
  const resolved: ResolvedOptions = {
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 0,
    token: options.token ?? 'emulator-token',
    shards,
    maxConcurrency: options.maxConcurrency ?? 1,
    // At least one guild per recommended shard, so every shard has something to receive.
    guilds: options.guilds ?? Math.max(8, shards),
    channelsPerGuild: options.channelsPerGuild ?? 3,
    users: options.users ?? 50,
    seed: options.seed ?? 1,
    messageRate: options.messageRate ?? 0,
    identifyWindowMs: options.identifyWindowMs ?? 5000,
    heartbeatIntervalMs: options.heartbeatIntervalMs ?? 41250,
    sessionStartTotal: options.sessionStartTotal ?? 1000,
    sessionTimeoutMs: options.sessionTimeoutMs ?? 120_000,
    resumeBufferSize: options.resumeBufferSize ?? 10_000,
    messageLimit: options.messageLimit ?? { limit: 5, windowMs: 5000 },
    restLimits: options.restLimits ?? {},
    globalLimit: options.globalLimit ?? 50,
    privilegedIntents: options.privilegedIntents ?? PRIVILEGED_INTENTS,
    // Discord's own limit is 2500 (Topics > Gateway > Sharding); tests set a small one to see 4011.
    guildsPerShardLimit: options.guildsPerShardLimit ?? 2500,
  };
  for (const key of ['shards', 'maxConcurrency', 'channelsPerGuild', 'globalLimit'] as const) {
    if (!Number.isInteger(resolved[key]) || resolved[key] < 1)
      throw new RangeError(`emulator option ${key} must be a positive integer`);
  }
  if (resolved.guilds < 0 || resolved.users < 1) throw new RangeError('emulator options guilds/users out of range');
  return resolved;
}
