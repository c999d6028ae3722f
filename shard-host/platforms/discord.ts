// The Discord platform for a shard host, the same shape as platforms/qq.ts: GET /gateway/bot with the bot
// token, max_concurrency buckets behind the daily session budget, and shards speaking the Discord dialect.
import type { RESTGetAPIGatewayBotResult } from 'discord-api-types/v10';
import { discordDialect } from '../gateway/dialects/discord.ts';
import type { Compression } from '../gateway/inflate.ts';
import { Shard } from '../gateway/shard.ts';
import { fetchGatewayBot } from '../gateway-info.ts';
import type { Logger } from '../log.ts';
import type { HostPlatform } from './types.ts';

export interface DiscordPlatformOptions {
  token: string;
  apiUrl: string;
  intents: number;
  compress: Compression;
  logger: Logger;
  shardCount?: number | undefined;
  /** Tests: a gateway answer instead of asking {apiUrl}/gateway/bot. */
  gatewayBot?: RESTGetAPIGatewayBotResult;
}

export async function createDiscordPlatform(o: DiscordPlatformOptions): Promise<HostPlatform> {
  const log = o.logger.child({ platform: 'discord' });
  const gateway = o.gatewayBot ?? (await fetchGatewayBot(o.apiUrl, o.token));
  const shardCount = o.shardCount ?? gateway.shards;
  return {
    platform: 'discord',
    gateway,
    shardCount,
    sessionKey: o.token,
    makeShard: (id, session, hooks, count) =>
      new Shard({
        ...hooks,
        id,
        count: count ?? shardCount,
        dialect: discordDialect,
        token: o.token,
        intents: o.intents,
        gatewayUrl: gateway.url,
        compress: o.compress,
        identifyGate: hooks.identifyGate,
        ...(session ? { session } : {}),
      }),
    stop: () => {},
  };
}
