// Composition root of the shard host: reads the configuration, wires gateway → spool → forwarder, leases
// its shards from the coordinator, and owns shutdown. The only module that reads process.env.
import { EdgeshardError, ERROR_CODES, type SessionInfo } from '../protocol/index.ts';
import { loadConfig } from './config.ts';
import { Forwarder } from './forwarder/forwarder.ts';
import { HttpTransport } from './forwarder/http-transport.ts';
import { Backpressure, Shard, spoolableEvent } from './gateway/index.ts';
import { fetchGatewayBot } from './gateway-info.ts';
import { createLeasedHost, webSocketLease } from './lease/index.ts';
import { createLogger } from './log.ts';
import { deliveryMetrics, registerDeadLetterGauge } from './metrics/delivery.ts';
import { registerGatewayMetrics } from './metrics/gateway.ts';
import { createRegistry } from './metrics/registry.ts';
import { startMetricsServer } from './metrics/server.ts';
import { SessionTracker } from './sessions/index.ts';
import { DeadLetterFile, DeadLetterList, FileSpool } from './spool/index.ts';

const log = createLogger({ component: 'shard-host' });
// The egress relay's modules load only when it is configured: a host without it does not pay for them.
const startEgressServer: typeof import('./egress/index.ts').startEgressServer = async (options) =>
  (await import('./egress/index.ts')).startEgressServer(options);

async function main(): Promise<void> {
  const config = loadConfig(process.argv.slice(2), process.env);
  const gateway = await fetchGatewayBot(config.apiUrl, config.token);
  const shardCount = config.shardCount ?? gateway.shards;
  const { remaining, total, reset_after: resetAfter, max_concurrency: maxConcurrency } = gateway.session_start_limit;
  log.info('gateway', {
    url: gateway.url,
    shardCount,
    mayLease: config.shardIds ?? 'any',
    maxConcurrency,
    sessionStarts: `${remaining}/${total}`,
  });

  // The spool on disk, recovered before any shard connects: what the last run left unacknowledged is sent
  // first. Torn or corrupt records are reported (log + metric) and skipped; every record before them is kept.
  const registry = createRegistry({ host: config.hostId });
  const delivery = deliveryMetrics(registry, () => spool.depth());
  const spool = FileSpool.open({
    dir: config.spoolDir,
    durability: config.spoolFsync,
    maxBytes: config.spoolMaxBytes,
    logger: log.child({ component: 'spool' }),
    onDrop: ({ entry, reason }) => {
      log.error('EVENT DROPPED: spool over its size cap, oldest event discarded', {
        eventId: entry.event.id,
        type: entry.event.type,
        reason,
      });
      delivery.dropped(entry.event.shard);
    },
  });
  delivery.corrupt(spool.recovery.corrupt.length);
  log.info('spool', {
    dir: config.spoolDir,
    fsync: config.spoolFsync,
    recovered: spool.recovery.events,
    corruptRecords: spool.recovery.corrupt.length,
  });
  // Each shard's session at the Worker's watermark: reported to the coordinator with every renewal, and at
  // release, so the shard's next owner resumes from it (sessions/tracker.ts).
  const sessions = new SessionTracker();
  const deadLetters = new DeadLetterFile(config.deadLetterFile);
  // What /healthz, the status page and edgeshard_dead_letters report: dead letters not yet replayed by
  // `shard-host dead-letters --replay`.
  const deadLetterList = new DeadLetterList(config.deadLetterFile);
  registerDeadLetterGauge(registry, () => deadLetterList.count());
  const forwarder = new Forwarder({
    transport: new HttpTransport({ workerUrl: config.workerUrl, secret: config.secret }),
    hostId: config.hostId,
    spool,
    logger: log.child({ component: 'forwarder' }),
    maxEvents: config.batchMaxEvents,
    maxBytes: config.batchMaxBytes,
    lingerMs: config.batchLingerMs,
    maxAttempts: config.maxAttempts,
    onBatch: (sent) => delivery.batch(sent),
    onRetry: (shard, events) => delivery.retried(shard, events),
    epoch: (shard) => lease.client.epoch(shard),
    onAcked: (shard, events) => {
      delivery.acked(
        shard,
        events.map((e) => e.receivedAt),
      );
      sessions.settled(shard, events);
      backpressure.check();
    },
    onDeadLetter: (event, reason) => {
      deadLetters.write(event, reason); // throws → the event stays in the spool
      delivery.deadLettered(event.shard);
      log.error('event dead-lettered', {
        eventId: event.id,
        type: event.type,
        reason,
        file: config.deadLetterFile,
      });
      sessions.settled(event.shard, [event]);
    },
  });

  // The shards this host runs: started and stopped by the lease client as the coordinator assigns them.
  const shards: Shard[] = [];
  // Stop reading every socket while the spool is over its high-water mark (DESIGN.md, guarantee 6).
  const backpressure = new Backpressure({
    high: { events: config.spoolHighWaterEvents, bytes: config.spoolHighWaterBytes },
    depth: () => spool.depth(),
    pause: () => shards.forEach((s) => s.pauseReading()),
    resume: () => shards.forEach((s) => s.resumeReading()),
    onChange: (paused, depth) =>
      log[paused ? 'warn' : 'info'](
        paused ? 'spool over its high-water mark: reading paused' : 'spool drained: reading resumed',
        { ...depth },
      ),
  });
  const makeShard = (id: number, session: SessionInfo | undefined): Shard =>
    new Shard({
      id,
      count: shardCount,
      token: config.token,
      intents: config.intents,
      gatewayUrl: gateway.url,
      compress: config.compress,
      // Identify slots from the coordinator's one queue; no connection without a confirmed lease.
      identifyGate: lease.client.identifyGate,
      connectGate: lease.client.connectGate,
      logger: log.child({ shard: id }),
      ...(session ? { session } : {}),
      onDispatch: (record) => {
        // The envelope's JSON reuses the payload's `d` text (gateway/envelope.ts): parsed once, never re-serialised.
        const { event, json } = spoolableEvent(record);
        spool.append(event, json);
        sessions.received(record.shard, record.session, record.seq);
        forwarder.notify(record.shard);
        backpressure.appended();
        lease.pool.dispatched(record);
      },
      onSession: (session) => sessions.session(id, session),
      onStateChange: (_from, to) => {
        // One line whenever every shard this host holds has become ready (operators and tests wait for it).
        if (to === 'ready' && shards.every((s) => s.state.kind === 'ready'))
          log.info('all shards ready', { shards: shards.map((s) => s.id), host: config.hostId });
      },
      onFatal: (error) => {
        // The other shards keep serving; the host exits (non-zero) only when every shard it holds failed.
        log.error('shard stopped for good', { shard: id, code: error.code, error: error.message });
        if (shards.every((s) => s.state.kind === 'fatal'))
          void shutdown(1, 'no shard left to serve: every shard of this host failed for good (see the errors above)');
      },
    });
  const lease = createLeasedHost({
    connect: webSocketLease({ url: config.coordinatorUrl, secret: config.secret, hostId: config.hostId }),
    hostId: config.hostId,
    capacity: config.capacity,
    shardCount,
    allowedShards: config.shardIds,
    gateway: {
      maxConcurrency,
      sessionStartTotal: total,
      sessionStartRemaining: remaining,
      sessionStartResetAfterMs: resetAfter,
    },
    shards,
    create: makeShard,
    sessions,
    spool,
    logger: log,
    load: () => {
      const depth = spool.depth();
      return {
        spoolEvents: depth.events,
        spoolBytes: depth.bytes,
        oldestUnackedAgeMs: depth.oldestAt === null ? null : Math.max(0, Date.now() - depth.oldestAt),
        deadLetters: deadLetterList.count(),
      };
    },
  });

  registerGatewayMetrics(registry, {
    shards: () => shards,
    paused: () => backpressure.paused,
  });
  const metrics = await startMetricsServer({
    port: config.metricsPort,
    registry,
    health: () => {
      const status = lease.client.status();
      return {
        ok: status.connected && status.confirmed && shards.length > 0 && shards.every((s) => s.state.kind === 'ready'),
        lease: status,
        shards: Object.fromEntries(shards.map((s) => [s.id, s.state.kind])),
        spool: spool.depth(),
        deadLetters: deadLetterList.count(),
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
    // Release every shard with its final session (closed resumably), so other hosts resume them at once.
    await lease.client.shutdown();
    await Promise.all(shards.map((s) => s.stop({ resumable: true })));
    backpressure.close();
    const drained = await forwarder.drain(5_000);
    if (!drained) log.warn('spool not empty at exit', spool.depth() as unknown as Record<string, unknown>);
    await forwarder.close();
    await spool.close();
    deadLetters.close();
    await metrics.close();
    await egress?.close();
    process.exit(code);
  }
  process.once('SIGINT', () => void shutdown(0, 'SIGINT'));
  process.once('SIGTERM', () => void shutdown(0, 'SIGTERM'));

  forwarder.resume(); // what the spool recovered
  lease.client.start();
  log.info('leasing shards from the coordinator', {
    coordinator: config.coordinatorUrl,
    capacity: config.capacity,
    host: config.hostId,
    mayLease: config.shardIds ?? 'any',
  });
}

main().catch((err: unknown) => {
  if (err instanceof EdgeshardError) log.error(err.message, { code: err.code });
  else log.error('shard host crashed', { error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  process.exit(1);
});
