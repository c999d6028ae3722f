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
                EDGESHARD_SECRET: 'test-secret',
                DISCORD_TOKEN: 'test-token',
                DISCORD_API_URL: 'http://wire.emulator.test/api/v10',
                EDGESHARD_REST_PROXY_KEY: 'test-proxy-key',
              },
              // Fetches to <preset>.emulator.test reach real emulators in this process (scripts/lib/emulator-outbound.ts).
              outboundService: emulatorOutbound,
            },
          }),
        ],
        test: {
          name: 'workers',
          include: ['test/workers/**/*.test.ts'],
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
