// The platforms a host runs, decided by which credentials its configuration has: Discord with
// DISCORD_TOKEN, QQ with QQ_APP_ID + QQ_APP_SECRET, both with both (config.ts refuses neither).
import type { HostConfig } from '../config.ts';
import type { Logger } from '../log.ts';
import { createDiscordPlatform } from './discord.ts';
import { createQQPlatform } from './qq.ts';
import type { HostPlatform } from './types.ts';

export type { HostPlatform, ShardHooks } from './types.ts';

/** Each configured platform's factory, asked for its gateway (GET /gateway/bot) in turn. */
export async function openPlatforms(config: HostConfig, logger: Logger): Promise<HostPlatform[]> {
  const opens: (() => Promise<HostPlatform>)[] = [];
  if (config.discord)
    opens.push(() =>
      createDiscordPlatform({
        token: config.token,
        apiUrl: config.apiUrl,
        intents: config.intents,
        compress: config.compress,
        shardCount: config.shardCount,
        logger,
      }),
    );
  const qq = config.qq;
  if (qq) opens.push(() => createQQPlatform({ config: qq, shardCount: config.shardCount, logger }));
  const platforms: HostPlatform[] = [];
  try {
    for (const open of opens) platforms.push(await open());
  } catch (err) {
    for (const p of platforms) p.stop();
    throw err;
  }
  return platforms;
}
