// A platform as the composition root sees it: what GET /gateway/bot said, and a shard factory that fills in
// the platform's dialect, credential and URL. main.ts builds one per platform the host has credentials for
// and gives each its own spool, forwarder, sessions and lease client (a coordinator instance per platform,
// whose identify queue spaces the platform's identifies), so shard ids never collide.
import type { Platform } from '../../protocol/index.ts';
import type { IdentifyGate } from '../gateway/identify-gate.ts';
import type { ShardOptions } from '../gateway/options.ts';
import type { SessionInfo } from '../gateway/session.ts';
import type { Shard } from '../gateway/shard.ts';

/** What a shard takes from the composition root: everything but the platform's own settings. */
export type ShardHooks = Omit<
  ShardOptions,
  'id' | 'count' | 'token' | 'dialect' | 'intents' | 'gatewayUrl' | 'compress' | 'onTokenRejected' | 'session'
> & {
  /** The lease client's gate: identify slots from the coordinator's one queue. */
  identifyGate: IdentifyGate;
};

export interface HostPlatform {
  readonly platform: Platform;
  readonly gateway: {
    url: string;
    shards: number;
    session_start_limit: { total: number; remaining: number; reset_after: number; max_concurrency: number };
  };
  /** EDGESHARD_SHARD_COUNT when given, else the platform's recommendation. */
  readonly shardCount: number;
  /** What identifies the bot in its session file (sessions of another bot are not resumed). */
  readonly sessionKey: string;
  /** `count`: the shard count of the assignment (a reshard runs two generations side by side); default: shardCount. */
  makeShard(id: number, session: SessionInfo | undefined, hooks: ShardHooks, count?: number): Shard;
  stop(): void;
}
