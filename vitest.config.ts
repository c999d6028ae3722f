import { cloudflareTest } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';
import { emulatorOutbound } from './scripts/lib/emulator-outbound.ts';

// Three projects, one per runtime: node (protocol, shard host, emulator), workers (inside workerd via the
// Workers Vitest integration), e2e (real processes over 127.0.0.1).
export default defineConfig({
  test: {
    projects: [
      {
        test: { name: 'node', include: ['test/node/**/*.test.ts'], environment: 'node', testTimeout: 20_000 },
      },
      {
        plugins: [
          cloudflareTest({
            wrangler: { configPath: './wrangler.toml' },
            miniflare: {
              bindings: {
                EDGESHARD_SECRET: 'test-secret-0123456789',
                DISCORD_TOKEN: 'test-token',
                DISCORD_API_URL: 'http://wire.emulator.test/api/v10',
                EDGESHARD_REST_PROXY_KEY: 'test-proxy-key',
                // npm run fuzz (test/fuzz/run.ts): how long each Worker fuzz target runs.
                FUZZ_SECONDS: process.env.FUZZ_SECONDS ?? '',
                // QQ Bot on the `qq` emulator preset (scripts/lib/emulator-outbound.ts): ctx.qq through the REST proxy DO.
                QQ_APP_ID: '102000001',
                QQ_APP_SECRET: 'qq-test-secret-0123456789abcdefgh',
                QQ_API_URL: 'http://qq.emulator.test/qq/api',
                QQ_TOKEN_URL: 'http://qq.emulator.test/qq/app/getAppAccessToken',
              },
              // Fetches to <preset>.emulator.test reach real emulators in this process (scripts/lib/emulator-outbound.ts).
              outboundService: emulatorOutbound,
            },
          }),
        ],
        test: {
          name: 'workers',
          include: ['test/workers/**/*.test.ts'],
          globalSetup: ['test/workers/global-setup.ts'],
          // discord-api-types is CommonJS; workerd's module fallback loses its re-exported names (Routes,
          // enums), which @discordjs/core needs. Pre-bundled with esbuild here, as wrangler bundles it.
          deps: {
            optimizer: { ssr: { enabled: true, include: ['discord-api-types/v10', '@discordjs/core/http-only'] } },
          },
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
