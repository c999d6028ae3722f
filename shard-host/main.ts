// Composition root of the shard host: reads the configuration, runs each platform it has credentials for
// (run-platform.ts wires gateway → spool → forwarder and leases that platform's shards from its
// coordinator), serves metrics and the egress relay, and owns shutdown. The only module that reads process.env.
import { EdgeshardError, ERROR_CODES } from '../protocol/index.ts';
import { loadConfig } from './config.ts';
import { createLogger } from './log.ts';
import { createRegistry } from './metrics/registry.ts';
import { startMetricsServer } from './metrics/server.ts';
import { openPlatforms } from './platforms/index.ts';
import { runPlatform } from './run-platform.ts';

const log = createLogger({ component: 'shard-host' });
// The egress relay's modules load only when it is configured: a host without it does not pay for them.
const startEgressServer: typeof import('./egress/index.ts').startEgressServer = async (options) =>
  (await import('./egress/index.ts')).startEgressServer(options);

async function main(): Promise<void> {
  const config = loadConfig(process.argv.slice(2), process.env);
  const registry = createRegistry({ host: config.hostId });
  // One run per platform the host has credentials for: its own spool, forwarder, dead letters, sessions
  // and lease client to the platform's coordinator (run-platform.ts).
  const runs = (await openPlatforms(config, log)).map((platform) =>
    runPlatform(platform, {
      config,
      registry,
      logger: log,
      onFatal: () => {
        if (runs.every((r) => r.shards.every((s) => s.state.kind === 'fatal')))
          void shutdown(1, 'no shard left to serve: every shard of this host failed for good (see the errors above)');
      },
    }),
  );

  const metrics = await startMetricsServer({
    port: config.metricsPort,
    registry,
    health: () => {
      const platforms = Object.fromEntries(runs.map((r) => [r.platform, r.health()]));
      return {
        ok: Object.values(platforms).every((p) => p.ok),
        platforms,
        // At a glance: every shard's state, as `platform:id`.
        shards: Object.fromEntries(
          Object.entries(platforms).flatMap(([p, h]) => Object.entries(h.shards).map(([id, s]) => [`${p}:${id}`, s])),
        ),
        deadLetters: Object.values(platforms).reduce((n, p) => n + p.deadLetters, 0),
      };
    },
  }).catch((cause: unknown) => {
    throw new EdgeshardError(
      ERROR_CODES.CONFIG_INVALID,
      `cannot serve metrics on port ${config.metricsPort}: ${(cause as Error).message} — set EDGESHARD_METRICS_PORT to a free port (0 picks one)`,
      { cause },
    );
  });
  log.info('metrics', { url: `http://127.0.0.1:${metrics.port}/metrics` });
  // The egress relay: platform API calls for the Worker (EDGESHARD_EGRESS_URL there) leave from this host.
  const egress =
    config.egressPort === undefined
      ? undefined
      : await startEgressServer({
          port: config.egressPort,
          host: config.egressHost,
          secret: config.secret,
          discordToken: config.token,
          discordApiUrl: config.apiUrl,
          qq: config.qq,
          logger: log.child({ component: 'egress' }),
        }).catch((cause: unknown) => {
          throw new EdgeshardError(
            ERROR_CODES.CONFIG_INVALID,
            `cannot serve the egress relay on port ${config.egressPort}: ${(cause as Error).message} — set EDGESHARD_EGRESS_PORT to a free port`,
            { cause },
          );
        });
  if (egress) log.info('egress relay', { port: egress.port, host: config.egressHost });

  // Every timer in the host is unref()ed, so a host waiting for its leases would otherwise exit quietly
  // with code 0. The host lives until shutdown() says otherwise.
  const keepAlive = setInterval(() => undefined, 1 << 30);
  let stopping = false;
  async function shutdown(code: number, reason: string): Promise<void> {
    if (stopping) return;
    stopping = true;
    clearInterval(keepAlive);
    log.info('shutting down', { reason });
    // Release every shard with its final session (closed resumably), so other hosts resume them at once;
    // then stop the shards and drain each platform's spool.
    await Promise.all(runs.map((r) => r.releaseLeases()));
    await Promise.all(runs.map((r) => r.stopShards()));
    await Promise.all(runs.map((r) => r.close(5_000)));
    await metrics.close();
    await egress?.close();
    process.exit(code);
  }
  process.once('SIGINT', () => void shutdown(0, 'SIGINT'));
  process.once('SIGTERM', () => void shutdown(0, 'SIGTERM'));

  for (const run of runs) run.start();
}

main().catch((err: unknown) => {
  if (err instanceof EdgeshardError) log.error(err.message, { code: err.code });
  else log.error('shard host crashed', { error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  process.exit(1);
});
