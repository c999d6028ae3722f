// @discordeno/gateway 21.0.0: read the frame, inflate with node:zlib, JSON.parse (snake case kept), its shard
// logic; the listener only counts. No spool, no forwarding. Loaded from this package's dependencies when it is
// one (a devDependency), else by path from BENCH_DISCORDENO.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { INTENTS, type BenchClient, type ClientOptions } from './types.ts';

/** Where the bench looks for @discordeno/gateway when it is not installed in this package. */
// A variable, so the type checker does not look for the module while it is not a dependency.
const MODULE = '@discordeno/gateway';
export const DISCORDENO_PATH = process.env.BENCH_DISCORDENO ?? '/work/wt/perf-deps/node_modules/@discordeno/gateway';

/** @discordeno/gateway 21.0.0 with preferSnakeCase (payloads as Discord sends them); the listener only counts. */
export async function discordenoClient(o: ClientOptions): Promise<BenchClient> {
  type Manager = { spawnShards(): Promise<void>; shards: Map<number, unknown> };
  type Create = (options: Record<string, unknown>) => Manager;
  let createGatewayManager: Create;
  try {
    ({ createGatewayManager } = (await import(MODULE)) as { createGatewayManager: Create });
  } catch {
    try {
      // Its ESM entry (package.json `exports.import`), loaded by path from outside this package.
      const pkg = JSON.parse(readFileSync(join(DISCORDENO_PATH, 'package.json'), 'utf8')) as {
        exports: { import: string };
      };
      const entry = pathToFileURL(join(DISCORDENO_PATH, pkg.exports.import)).href;
      ({ createGatewayManager } = (await import(entry)) as { createGatewayManager: Create });
    } catch (err) {
      throw new Error(
        `@discordeno/gateway is neither a dependency nor at ${DISCORDENO_PATH} (${(err as Error).message}): install it with ` +
          '`npm install -D @discordeno/gateway@21.0.0`, or set BENCH_DISCORDENO to its directory, or run with --libs edgeshard,discordjs',
      );
    }
  }
  let messages = 0;
  const ready = new Set<number>();
  const waiting = new Map<number, () => void>();
  const quiet = { debug() {}, info() {}, warn() {}, error() {}, fatal() {} };
  return {
    async start(ids) {
      const manager = createGatewayManager({
        token: o.token,
        intents: INTENTS,
        url: o.gatewayUrl,
        connection: {
          url: o.gatewayUrl,
          shards: o.shardCount,
          sessionStartLimit: { total: 1000, remaining: 1000, resetAfter: 0, maxConcurrency: o.maxConcurrency },
        },
        totalShards: o.shardCount,
        firstShardId: ids[0],
        lastShardId: ids.at(-1),
        spawnShardDelay: o.identifyWindowMs,
        preferSnakeCase: true,
        transportCompression: o.compress ? 'zlib-stream' : null,
        logger: quiet,
        resharding: { enabled: false, shardsFullPercentage: 80, checkInterval: -1 },
        events: {
          message: (shard: { id: number }, payload: { t: string | null }) => {
            if (payload.t === 'MESSAGE_CREATE') messages++;
            else if (payload.t === 'READY') {
              ready.add(shard.id);
              waiting.get(shard.id)?.();
            }
          },
        },
      });
      const all = Promise.all(
        ids.map((id) => (ready.has(id) ? Promise.resolve() : new Promise<void>((r) => waiting.set(id, r)))),
      );
      await manager.spawnShards();
      await all;
    },
    messages: () => messages,
    paused: () => false,
  };
}
