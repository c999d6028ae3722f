// Both platform factories give main.ts the same shape: the gateway's answer, the identify gate, a session
// key, and shards that reach READY on the emulator with the composition root's hooks.
import { afterEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../../emulator/index.ts';
import { QQ_DEFAULT_INTENTS } from '../../../protocol/qq.ts';
import type { DispatchRecord } from '../../../shard-host/gateway/options.ts';
import type { Shard } from '../../../shard-host/gateway/shard.ts';
import { memoryLogger } from '../../../shard-host/log.ts';
import { createDiscordPlatform } from '../../../shard-host/platforms/discord.ts';
import { createQQPlatform } from '../../../shard-host/platforms/qq.ts';
import type { HostPlatform } from '../../../shard-host/platforms/types.ts';

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

const factories: Record<string, (e: Emulator) => Promise<HostPlatform>> = {
  discord: (e) =>
    createDiscordPlatform({ token: e.token, apiUrl: e.apiUrl, intents: 513, compress: 'none', logger: memoryLogger() }),
  qq: (e) =>
    createQQPlatform({
      config: {
        appId: e.webhooks().qqAppId,
        appSecret: e.webhooks().qqAppSecret,
        apiUrl: `${e.url}/qq/api`,
        tokenUrl: `${e.url}/qq/app/getAppAccessToken`,
        intents: QQ_DEFAULT_INTENTS,
        sandbox: false,
      },
      logger: memoryLogger(),
    }),
};

describe.each(Object.keys(factories))('%s platform', (name) => {
  it('builds shards that reach READY with the same hooks', async () => {
    const emulator = await startEmulator({ port: 0, shards: 1 });
    cleanup.push(() => emulator.close());
    const platform = await factories[name]!(emulator);
    cleanup.push(() => platform.stop());
    expect([platform.platform, platform.shardCount]).toEqual([name, 1]);
    expect(platform.sessionKey).toBe(name === 'qq' ? `qq:${emulator.webhooks().qqAppId}` : emulator.token);
    const records: DispatchRecord[] = [];
    const shard: Shard = platform.makeShard(0, undefined, {
      identifyGate: { acquire: async () => {} },
      logger: memoryLogger(),
      onDispatch: (r) => records.push(r),
    });
    cleanup.push(() => shard.stop({ resumable: false }));
    const ready = shard.ready();
    shard.start();
    await ready;
    // Discord follows READY with GUILD_CREATEs; the first record is READY on both.
    expect([records[0]!.type, records[0]!.platform ?? 'discord']).toEqual(['READY', name]);
  });
});
