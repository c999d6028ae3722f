// One platform's half of a shard host, wired: its spool (recovered before any shard connects), forwarder,
// dead-letter file, SessionTracker, backpressure, metrics and lease client to the platform's own
// coordinator. main.ts calls this once per platform the host has credentials for (Discord, QQ or both);
// nothing here is shared between platforms but the metrics registry and the host's settings, so shard ids,
// leases, spools and identify queues never collide.
import type { Registry } from 'prom-client';
import type { Platform } from '../protocol/index.ts';
import { platformFiles, type HostConfig } from './config.ts';
import { Forwarder } from './forwarder/forwarder.ts';
import { HttpTransport } from './forwarder/http-transport.ts';
import { Backpressure, spoolableEvent, type Shard } from './gateway/index.ts';
import { createLeasedHost, webSocketLease, type LeaseConnect } from './lease/index.ts';
import type { LeaseStatus } from './lease/index.ts';
import type { Logger } from './log.ts';
import { deliveryMetrics, metricPrefix, registerDeadLetterGauge } from './metrics/delivery.ts';
import { registerGatewayMetrics } from './metrics/gateway.ts';
import type { HostPlatform } from './platforms/types.ts';
import { SessionTracker } from './sessions/index.ts';
import { DeadLetterFile, DeadLetterList, FileSpool } from './spool/index.ts';
import type { SpoolDepth } from './spool/types.ts';

export interface PlatformHealth {
  ok: boolean;
  lease: LeaseStatus;
  shards: Record<number, string>;
  spool: SpoolDepth;
  deadLetters: number;
}

export interface PlatformRun {
  readonly platform: Platform;
  readonly shards: readonly Shard[];
  health(): PlatformHealth;
  /** Sends what the spool recovered and starts leasing shards. */
  start(): void;
  /** Releases every lease with its shard's final session, so other hosts resume at once. */
  releaseLeases(): Promise<void>;
  /** Closes every shard resumably. */
  stopShards(): Promise<void>;
  /** Drains the spool (up to `ms`), then closes forwarder, spool and dead-letter file. */
  close(ms: number): Promise<void>;
}

/** Longest a recovered spool waits for the lease (a host that gets no shard sends it then, and is fenced). */
const RECOVERY_WAIT_MS = 5_000;
/** Assignments arrive in one burst: the held set unchanged this long means the burst is over. */
const SETTLE_MS = 250;

/** Resolves once the lease is confirmed and the shards held have stopped changing, or after `maxMs`. */
export function leaseSettled(
  status: () => LeaseStatus,
  maxMs: number,
  pollMs = 50,
  now: () => number = Date.now,
): Promise<void> {
  const deadline = now() + maxMs;
  let last = '';
  let since = now();
  return new Promise((resolve) => {
    const check = () => {
      const s = status();
      const held = s.held.join(',');
      if (held !== last) [last, since] = [held, now()];
      if ((s.confirmed && held !== '' && now() - since >= SETTLE_MS) || now() >= deadline) return resolve();
      setTimeout(check, pollMs).unref();
    };
    check();
  });
}

export interface RunPlatformOptions {
  config: HostConfig;
  registry: Registry;
  logger: Logger;
  /** A shard stopped for good (the host exits when no shard of any platform is left). */
  onFatal(): void;
  /** Tests: another lease link than the WebSocket to the coordinator. */
  connect?: LeaseConnect;
}

export function runPlatform(platform: HostPlatform, o: RunPlatformOptions): PlatformRun {
  const { config } = o;
  const name = platform.platform;
  const log = o.logger.child({ platform: name });
  const files = platformFiles(config, name);
  const prefix = metricPrefix(name);
  const {
    remaining,
    total,
    reset_after: resetAfter,
    max_concurrency: maxConcurrency,
  } = platform.gateway.session_start_limit;
  log.info('gateway', {
    url: platform.gateway.url,
    shardCount: platform.shardCount,
    mayLease: config.shardIds ?? 'any',
    maxConcurrency,
    sessionStarts: `${remaining}/${total}`,
  });

  // The spool on disk, recovered before any shard connects: what the last run left unacknowledged is sent
  // first. Torn or corrupt records are reported (log + metric) and skipped; every record before them is kept.
  const delivery = deliveryMetrics(o.registry, () => spool.depth(), Date.now, prefix);
  const spool = FileSpool.open({
    dir: files.spoolDir,
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
    dir: files.spoolDir,
    fsync: config.spoolFsync,
    recovered: spool.recovery.events,
    corruptRecords: spool.recovery.corrupt.length,
  });
  // Each shard's session at the Worker's watermark: reported to the coordinator with every renewal, and at
  // release, so the shard's next owner resumes from it (sessions/tracker.ts).
  const sessions = new SessionTracker();
  const deadLetters = new DeadLetterFile(files.deadLetterFile);
  // What /healthz, the status page and edgeshard_dead_letters report: dead letters not yet replayed by
  // `shard-host dead-letters --replay`.
  const deadLetterList = new DeadLetterList(files.deadLetterFile);
  registerDeadLetterGauge(o.registry, () => deadLetterList.count(), prefix);
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
        file: files.deadLetterFile,
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
  const lease = createLeasedHost({
    connect:
      o.connect ??
      webSocketLease({ url: config.coordinatorUrl, secret: config.secret, hostId: config.hostId, platform: name }),
    hostId: config.hostId,
    capacity: config.capacity,
    shardCount: platform.shardCount,
    allowedShards: config.shardIds,
    gateway: {
      maxConcurrency,
      sessionStartTotal: total,
      sessionStartRemaining: remaining,
      sessionStartResetAfterMs: resetAfter,
    },
    shards,
    // The platform fills in its dialect, credential and URL; identify slots and connections come from
    // this platform's coordinator (no connection without a confirmed lease).
    create: (id, session) =>
      platform.makeShard(id, session, {
        identifyGate: lease.client.identifyGate,
        connectGate: lease.client.connectGate,
        logger: log.child({ shard: id }),
        onDispatch: (record) => {
          // The envelope's JSON reuses the payload's `d` text (gateway/envelope.ts): parsed once.
          const { event, json } = spoolableEvent(record);
          spool.append(event, json);
          sessions.received(record.shard, record.session, record.seq);
          forwarder.notify(record.shard);
          backpressure.appended();
          lease.pool.dispatched(record);
        },
        onSession: (session) => sessions.session(id, session),
        onStateChange: (_from, to) => {
          // One line whenever every shard of this platform has become ready (operators and tests wait for it).
          if (to === 'ready' && shards.every((s) => s.state.kind === 'ready'))
            log.info('all shards ready', { shards: shards.map((s) => s.id), host: config.hostId });
        },
        onFatal: (error) => {
          // The other shards keep serving; the host exits (non-zero) only when no shard is left.
          log.error('shard stopped for good', { shard: id, code: error.code, error: error.message });
          o.onFatal();
        },
      }),
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
  registerGatewayMetrics(o.registry, { shards: () => shards, paused: () => backpressure.paused }, prefix);

  return {
    platform: name,
    shards,
    health() {
      const status = lease.client.status();
      return {
        ok: status.connected && status.confirmed && shards.length > 0 && shards.every((s) => s.state.kind === 'ready'),
        lease: status,
        shards: Object.fromEntries(shards.map((s) => [s.id, s.state.kind])),
        spool: spool.depth(),
        deadLetters: deadLetterList.count(),
      };
    },
    start() {
      lease.client.start();
      // What the spool recovered goes out once the lease says which shards this host holds: a batch sent
      // before that carries epoch 0 and is fenced (dropped) even for a shard this host takes straight back.
      void leaseSettled(() => lease.client.status(), RECOVERY_WAIT_MS).then(() => forwarder.resume());
      log.info('leasing shards from the coordinator', {
        coordinator: config.coordinatorUrl,
        capacity: config.capacity,
        host: config.hostId,
        mayLease: config.shardIds ?? 'any',
      });
    },
    releaseLeases: () => lease.client.shutdown(),
    async stopShards() {
      await Promise.all(shards.map((s) => s.stop({ resumable: true })));
      platform.stop();
    },
    async close(ms) {
      backpressure.close();
      const drained = await forwarder.drain(ms);
      if (!drained) log.warn('spool not empty at exit', spool.depth() as unknown as Record<string, unknown>);
      await forwarder.close();
      await spool.close();
      deadLetters.close();
    },
  };
}
