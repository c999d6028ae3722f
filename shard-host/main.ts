// Composition root of the shard host: reads the configuration, wires gateway → spool → forwarder, and
// owns shutdown. The only module that reads process.env.
import { EdgeshardError, ERROR_CODES, eventId, type EventEnvelope } from '../protocol/index.ts';
import { loadConfig } from './config.ts';
import { Forwarder } from './forwarder/forwarder.ts';
import { LocalIdentifyGate, Shard, type DispatchRecord } from './gateway/index.ts';
import { fetchGatewayBot } from './gateway-info.ts';
import { createLogger } from './log.ts';
import { createRegistry } from './metrics/registry.ts';
import { startMetricsServer } from './metrics/server.ts';
import { MemorySpool } from './spool/memory.ts';

const log = createLogger({ component: 'shard-host' });

function toEnvelope(record: DispatchRecord): EventEnvelope {
  return {
    id: eventId('discord', record.shard, record.session, record.seq),
    platform: 'discord',
    shard: record.shard,
    session: record.session,
    seq: record.seq,
    type: record.type,
    data: record.data,
    receivedAt: record.receivedAt,
  };
}

async function main(): Promise<void> {
  const config = loadConfig(process.argv.slice(2), process.env);
  const gateway = await fetchGatewayBot(config.apiUrl, config.token);
  const shardCount = config.shardCount ?? gateway.shards;
  const shardIds = config.shardIds ?? Array.from({ length: shardCount }, (_, i) => i);
  const { remaining, total, reset_after: resetAfter, max_concurrency: maxConcurrency } = gateway.session_start_limit;
  log.info('gateway', { url: gateway.url, shardCount, shards: shardIds, maxConcurrency, sessionStarts: `${remaining}/${total}` });
  if (remaining < shardIds.length) {
    log.error('identify budget too low for the shards to start', { remaining, needed: shardIds.length, resetsInMs: resetAfter });
  }

  const spool = new MemorySpool();
  const forwarder = new Forwarder({
    workerUrl: config.workerUrl,
    secret: config.secret,
    hostId: config.hostId,
    spool,
    logger: log.child({ component: 'forwarder' }),
    maxEvents: config.batchMaxEvents,
    maxBytes: config.batchMaxBytes,
    lingerMs: config.batchLingerMs,
    onDeadLetter: (event, reason) => log.error('event dead-lettered', { eventId: event.id, type: event.type, reason }),
  });

  const identifyGate = new LocalIdentifyGate({ maxConcurrency });
  const live = new Set<number>();
  const shards = shardIds.map(
    (id) =>
      new Shard({
        id,
        count: shardCount,
        token: config.token,
        intents: config.intents,
        gatewayUrl: gateway.url,
        compress: config.compress,
        identifyGate,
        logger: log.child({ shard: id }),
        onDispatch: (record) => {
          spool.append(toEnvelope(record));
          forwarder.notify(record.shard);
        },
        onFatal: (error) => {
          log.error('shard stopped for good', { shard: id, code: error.code, error: error.message });
          live.delete(id);
          if (live.size === 0) void shutdown(1, 'no shard left to serve');
        },
      }),
  );

  const registry = createRegistry({ host: config.hostId });
  const metrics = await startMetricsServer({
    port: config.metricsPort,
    registry,
    health: () => ({
      ok: shards.every((s) => s.state.kind === 'ready'),
      shards: Object.fromEntries(shards.map((s) => [s.id, s.state.kind])),
      spool: spool.depth(),
    }),
  }).catch((cause: unknown) => {
    throw new EdgeshardError(ERROR_CODES.CONFIG_INVALID, `cannot serve metrics on port ${config.metricsPort}: ${(cause as Error).message} — set EDGESHARD_METRICS_PORT to a free port (0 picks one)`, { cause });
  });
  log.info('metrics', { url: `http://127.0.0.1:${metrics.port}/metrics` });

  let stopping = false;
  async function shutdown(code: number, reason: string): Promise<void> {
    if (stopping) return;
    stopping = true;
    log.info('shutting down', { reason });
    // Close resumably: the session survives, so the next start resumes instead of identifying.
    await Promise.all(shards.map((s) => s.stop({ resumable: true })));
    const drained = await forwarder.drain(5_000);
    if (!drained) log.warn('spool not empty at exit', spool.depth() as unknown as Record<string, unknown>);
    await forwarder.close();
    await spool.close();
    await metrics.close();
    process.exit(code);
  }
  process.once('SIGINT', () => void shutdown(0, 'SIGINT'));
  process.once('SIGTERM', () => void shutdown(0, 'SIGTERM'));

  for (const shard of shards) {
    live.add(shard.id);
    shard.start();
  }
  await Promise.all(shards.map((s) => s.ready()));
  log.info('all shards ready', { shards: shardIds.length, host: config.hostId });
}

main().catch((err: unknown) => {
  if (err instanceof EdgeshardError) log.error(err.message, { code: err.code });
  else log.error('shard host crashed', { error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  process.exit(1);
});
