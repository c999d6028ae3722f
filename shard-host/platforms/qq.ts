// The QQ platform for a shard host, from its configuration: the access-token manager, the gateway's answer
// to GET /gateway/bot, and a shard factory. Identify slots come from the coordinator's one queue (the lease
// client's gate, passed in the hooks), as for Discord's shards.
// The composition root (main.ts) gives each QQ shard the same spool, forwarder and lease hooks as a Discord
// one; only the dialect, the credential and the URL differ, and they are filled in here.
import type { Logger } from '../log.ts';
import { Shard } from '../gateway/shard.ts';
import { qqDialect } from '../gateway/dialects/qq.ts';
import type { QQGatewayBot } from '../../protocol/qq.ts';
import type { QQHostConfig } from '../qq/config.ts';
import type { FetchLike } from '../net/http.ts';
import { fetchQQGatewayBot } from '../qq/gateway-info.ts';
import { QQTokenManager } from '../qq/token.ts';
import type { HostPlatform, ShardHooks } from './types.ts';

/** What a QQ shard takes from the composition root (the same hooks as a Discord one). */
export type QQShardHooks = ShardHooks;

export interface QQPlatform extends HostPlatform {
  readonly platform: 'qq';
  readonly tokens: QQTokenManager;
  readonly gateway: QQGatewayBot;
  /** Stops the token refresh timer (shards are stopped by their owner). */
  stop(): void;
}

export interface QQPlatformOptions {
  config: QQHostConfig;
  logger: Logger;
  /** EDGESHARD_SHARD_COUNT; undefined: QQ's recommendation. */
  shardCount?: number | undefined;
  fetch?: FetchLike;
}

export async function createQQPlatform(options: QQPlatformOptions): Promise<QQPlatform> {
  const { config, logger } = options;
  const log = logger.child({ platform: 'qq' });
  const tokens = new QQTokenManager({
    url: config.tokenUrl,
    appId: config.appId,
    appSecret: config.appSecret,
    logger: log,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  let gateway: QQGatewayBot;
  try {
    const token = await tokens.start();
    gateway = await fetchQQGatewayBot(config.apiUrl, token, options.fetch);
  } catch (err) {
    tokens.stop();
    throw err;
  }
  const shardCount = options.shardCount ?? Math.max(1, gateway.shards);
  const limit = gateway.session_start_limit;
  log.info('QQ gateway', {
    url: gateway.url,
    shards: shardCount,
    recommended: gateway.shards,
    sandbox: config.sandbox,
    remaining: limit.remaining,
  });
  return {
    platform: 'qq',
    tokens,
    gateway,
    shardCount,
    // Sessions belong to the app, whatever its current access token.
    sessionKey: `qq:${config.appId}`,
    makeShard: (id, session, hooks, count) =>
      new Shard({
        ...hooks,
        id,
        count: count ?? shardCount,
        dialect: qqDialect,
        token: () => tokens.get(),
        onTokenRejected: () => tokens.invalidate(),
        intents: config.intents,
        gatewayUrl: gateway.url,
        compress: 'none',
        identifyGate: hooks.identifyGate,
        ...(session ? { session } : {}),
      }),
    stop: () => tokens.stop(),
  };
}
