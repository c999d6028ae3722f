// Composition root of the shard host: reads the configuration, wires gateway → spool → forwarder, and
// owns shutdown. The only module that reads process.env.
import { EdgeshardError, ERROR_CODES } from '../protocol/index.ts';
import { loadConfig } from './config.ts';
import { Forwarder } from './forwarder/forwarder.ts';
import {
  Backpressure,
  IdentifyBudget,
  LocalIdentifyGate,
  Shard,
  spoolableEvent,
  type SessionInfo,
} from './gateway/index.ts';
import { fetchGatewayBot } from './gateway-info.ts';
import { registerGatewayMetrics } from './metrics/gateway.ts';
import { FileSessionStore, SessionTracker } from './sessions/index.ts';
import { createCoordinatedHost, type CoordinatedHost } from './lease/host.ts';
import { LeaseSessionStore } from './lease/sessions.ts';
import { createLogger } from './log.ts';
import { deliveryMetrics } from './metrics/delivery.ts';
import { createRegistry } from './metrics/registry.ts';
import { startMetricsServer } from './metrics/server.ts';
import { startEgressServer } from './egress/index.ts';
import { DeadLetterFile, FileSpool } from './spool/index.ts';

const log = createLogger({ component: 'shard-host' });

async function main(): Promise<void> {
  const config = loadConfig(process.argv.slice(2), process.env);
  const gateway = await fetchGatewayBot(config.apiUrl, config.token);
  const shardCount = config.shardCount ?? gateway.shards;
  // Coordinator mode: no shard at start; the ShardCoordinator assigns them (lease/).
  const shardIds = config.coordinator ? [] : (config.shardIds ?? Array.from({ length: shardCount }, (_, i) => i));
  let lease: CoordinatedHost | null = null;
  const leaseSessions = new LeaseSessionStore();
  const { remaining, total, reset_after: resetAfter, max_concurrency: maxConcurrency } = gateway.session_start_limit;
  log.info('gateway', {
    url: gateway.url,
    shardCount,
    shards: shardIds,
    maxConcurrency,
    sessionStarts: `${remaining}/${total}`,
  });
  if (remaining < shardIds.length) {
    log.warn('identify budget may be too low for the shards to start; shards with a stored session resume without it', {
      remaining,
      needed: shardIds.length,
      resetsInMs: resetAfter,
    });
  }

  // Sessions from the last run: a shard with one resumes (no identify spent, the gateway replays what
  // the Worker has not acknowledged). The stored seq is the Worker's watermark (sessions/tracker.ts).
  const sessionStore = config.coordinator
    ? leaseSessions
    : new FileSessionStore({
        path: config.sessionFile,
        token: config.token,
        logger: log.child({ component: 'sessions' }),
      });
  const storedSessions = SessionTracker.usable(await sessionStore.load(), shardCount);
  const sessions = new SessionTracker(sessionStore, shardCount);
  for (const [id, session] of storedSessions) if (shardIds.includes(id)) sessions.session(id, session);
  log.info('sessions', { file: config.sessionFile, resuming: shardIds.filter((id) => storedSessions.has(id)) });

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
  const deadLetters = new DeadLetterFile(config.deadLetterFile);
  const forwarder = new Forwarder({
    workerUrl: config.workerUrl,
    secret: config.secret,
    hostId: config.hostId,
    spool,
    logger: log.child({ component: 'forwarder' }),
    maxEvents: config.batchMaxEvents,
    maxBytes: config.batchMaxBytes,
    lingerMs: config.batchLingerMs,
    onBatch: (sent) => delivery.batch(sent),
    onRetry: (shard, events) => delivery.retried(shard, events),
    epoch: (shard) => lease?.client.epoch(shard) ?? 0,
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
      log.error('event dead-lettered', { eventId: event.id, type: event.type, reason, file: config.deadLetterFile });
      sessions.settled(event.shard, [event]);
    },
  });

  // Buckets of max_concurrency, one identify per bucket per 5 s, behind the daily budget's circuit breaker.
  const identifyGate = new IdentifyBudget(new LocalIdentifyGate({ maxConcurrency }), {
    limit: gateway.session_start_limit,
    reserve: config.identifyReserve,
    refresh: async () => (await fetchGatewayBot(config.apiUrl, config.token)).session_start_limit,
    onOpen: (error) => log.error(error.message, { code: error.code }),
  });
  const live = new Set<number>();
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
  // One factory for both modes: static mode maps it over EDGESHARD_SHARDS, coordinator mode calls it per assignment.
  const makeShard = (id: number, session: SessionInfo | undefined): Shard =>
    new Shard({
      id,
      count: shardCount,
      token: config.token,
      intents: config.intents,
      gatewayUrl: gateway.url,
      compress: config.compress,
      identifyGate: lease?.identifyGate ?? identifyGate,
      logger: log.child({ shard: id }),
      ...(session ? { session } : {}),
      onDispatch: (record) => {
        // The envelope's JSON reuses the payload's `d` text (gateway/envelope.ts): parsed once, never re-serialised.
        const { event, json } = spoolableEvent(record);
        spool.append(event, json);
        sessions.received(record.shard, record.session, record.seq);
        forwarder.notify(record.shard);
        backpressure.appended();
        lease?.pool.dispatched(record);
      },
      onSession: (session) => sessions.session(id, session),
      onFatal: (error) => {
        // The other shards keep serving; the host exits (non-zero) only when none is left.
        log.error('shard stopped for good', { shard: id, code: error.code, error: error.message });
        live.delete(id);
        if (!lease && live.size === 0)
          void shutdown(1, 'no shard left to serve: every shard failed (see the errors above)');
      },
    });
  const shards: Shard[] = shardIds.map((id) => makeShard(id, storedSessions.get(id)));
  if (config.coordinator) {
    lease = createCoordinatedHost({
      coordinatorUrl: config.coordinatorUrl,
      secret: config.secret,
      hostId: config.hostId,
      capacity: config.capacity,
      shardCount,
      gateway: {
        maxConcurrency,
        sessionStartTotal: total,
        sessionStartRemaining: remaining,
        sessionStartResetAfterMs: resetAfter,
      },
      shards,
      create: makeShard,
      sessions,
      store: leaseSessions,
      spool,
      logger: log,
    });
  }

  registerGatewayMetrics(registry, {
    shards: () => shards,
    paused: () => backpressure.paused,
    identifyBudget: () => identifyGate.remaining,
  });
  const metrics = await startMetricsServer({
    port: config.metricsPort,
    registry,
    health: () => ({
      ok: shards.every((s) => s.state.kind === 'ready'),
      shards: Object.fromEntries(shards.map((s) => [s.id, s.state.kind])),
      spool: spool.depth(),
    }),
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

  // Every timer in the host is unref()ed, so a host whose shards all wait in backoff would otherwise
  // exit quietly with code 0. The host lives until shutdown() says otherwise.
  const keepAlive = setInterval(() => undefined, 1 << 30);
  let stopping = false;
  async function shutdown(code: number, reason: string): Promise<void> {
    if (stopping) return;
    stopping = true;
    clearInterval(keepAlive);
    log.info('shutting down', { reason });
    // Close resumably: the session survives, so the next start resumes instead of identifying.
    // Coordinator mode: release every shard with its final session, so other hosts resume them at once.
    await lease?.client.shutdown();
    await Promise.all(shards.map((s) => s.stop({ resumable: true })));
    backpressure.close();
    const drained = await forwarder.drain(5_000);
    if (!drained) log.warn('spool not empty at exit', spool.depth() as unknown as Record<string, unknown>);
    await sessionStore.close(); // after the drain: the last acknowledgements move the stored watermark
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
  if (lease) {
    lease.client.start();
    log.info('coordinator mode: shards come from the ShardCoordinator', {
      coordinator: config.coordinatorUrl,
      capacity: config.capacity,
      host: config.hostId,
    });
    return;
  }
  for (const shard of shards) {
    live.add(shard.id);
    shard.start();
  }
  // A shard that fails for good (fatal close code) does not stop the others from being waited for.
  const outcomes = await Promise.allSettled(shards.map((s) => s.ready()));
  const failed = outcomes.filter((o) => o.status === 'rejected').length;
  if (failed < shards.length)
    log.info('all shards ready', { shards: shardIds.length - failed, failed, host: config.hostId });
}

main().catch((err: unknown) => {
  if (err instanceof EdgeshardError) log.error(err.message, { code: err.code });
  else log.error('shard host crashed', { error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  process.exit(1);
});
