// edgeshard's client: the host's whole path, wired as shard-host/main.ts wires it (shard → file spool with
// fsync before each batch → forwarder → signed HTTP POST to the stand-in Worker, acknowledged per event);
// a dispatch counts when the Worker acknowledged it. The QQ variant keeps an in-memory spool with an
// instant in-process acknowledgement (the QQ row only compares the dialect's parsing cost).
import { Backpressure, Shard, spoolableEvent, type DispatchRecord } from '../../../shard-host/gateway/index.ts';
import { createLogger } from '../../../shard-host/log.ts';
import { inProcessIdentifyGate } from '../../../shard-host/lease/in-process.ts';
import { createQQPlatform, type QQPlatform } from '../../../shard-host/platforms/qq.ts';
import { MemorySpool } from '../../../shard-host/spool/memory.ts';
import { FileSpool } from '../../../shard-host/spool/file.ts';
import type { Spool } from '../../../shard-host/spool/types.ts';
import { Forwarder } from '../../../shard-host/forwarder/forwarder.ts';
import { HttpTransport } from '../../../shard-host/forwarder/http-transport.ts';
import { deliveryMetrics } from '../../../shard-host/metrics/delivery.ts';
import { createRegistry } from '../../../shard-host/metrics/registry.ts';
import { SessionTracker } from '../../../shard-host/sessions/tracker.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONFIG_NAMES } from '../../../shard-host/config.ts';
import { INTENTS, type BenchClient, type ClientOptions } from './types.ts';

/** The host's defaults (shard-host/config.ts), so the bench runs what a host runs unconfigured. */
const D = (name: keyof typeof CONFIG_NAMES) => Number(CONFIG_NAMES[name]);
const HIGH_WATER = { events: D('EDGESHARD_SPOOL_HIGH_WATER_EVENTS'), bytes: D('EDGESHARD_SPOOL_HIGH_WATER_BYTES') };

/** The host's backpressure (gateway/backpressure.ts): every shard stops reading at the spool's high-water mark. */
function backpressureOf(spool: Pick<Spool, 'depth'>, shards: readonly Shard[]): Backpressure {
  return new Backpressure({
    high: HIGH_WATER,
    depth: () => spool.depth(),
    pause: () => shards.forEach((s) => s.pauseReading()),
    resume: () => shards.forEach((s) => s.resumeReading()),
  });
}

export function edgeshardClient(o: ClientOptions & { workerUrl: string; secret: string }): BenchClient {
  // The coordinator's identify policy in this process (a deployed host asks the ShardCoordinator DO).
  const { gate } = inProcessIdentifyGate({
    shardCount: o.shardCount,
    maxConcurrency: o.maxConcurrency,
    windowMs: o.identifyWindowMs,
  });
  const logger = createLogger({}, 'error', () => {});
  // The host's defaults (shard-host/config.ts, read through D): the file spool with fsync before each batch,
  // its high-water mark, requests of up to 100 events / 512 KiB packing every shard, one per 50 ms unless full.
  const dir = mkdtempSync(join(tmpdir(), 'edgeshard-bench-spool-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  const spool = FileSpool.open({
    dir,
    logger,
    durability: { mode: 'batch' },
    maxBytes: D('EDGESHARD_SPOOL_MAX_BYTES'),
  });
  const registry = createRegistry({ host: 'bench' });
  const delivery = deliveryMetrics(registry, () => spool.depth());
  const sessions = new SessionTracker();
  const shards: Shard[] = [];
  let messages = 0;
  const forwarder = new Forwarder({
    transport: new HttpTransport({ workerUrl: o.workerUrl, secret: o.secret }),
    hostId: 'bench',
    spool,
    logger,
    maxEvents: D('EDGESHARD_BATCH_MAX_EVENTS'),
    maxBytes: D('EDGESHARD_BATCH_MAX_BYTES'),
    lingerMs: D('EDGESHARD_BATCH_LINGER_MS'),
    onBatch: (sent) => delivery.batch(sent),
    onAcked: (shard, events) => {
      delivery.acked(
        shard,
        events.map((e) => e.receivedAt),
      );
      sessions.settled(shard, events);
      for (const e of events) if (e.type === 'MESSAGE_CREATE') messages++;
      backpressure.check();
    },
  });
  const backpressure = backpressureOf(spool, shards);
  const onDispatch = (r: DispatchRecord) => {
    // As shard-host/main.ts does: the envelope's JSON splices the payload's raw `d` text.
    const { event, json } = spoolableEvent(r);
    spool.append(event, json);
    sessions.received(r.shard, r.session, r.seq);
    forwarder.notify(r.shard);
    backpressure.appended();
  };
  return {
    async start(ids) {
      const started = ids.map((id) => {
        const shard = new Shard({
          id,
          count: o.shardCount,
          token: o.token,
          intents: INTENTS,
          gatewayUrl: o.gatewayUrl,
          compress: o.compress ? 'zlib-stream' : 'none',
          identifyGate: gate,
          logger,
          onDispatch,
          onSession: (session) => sessions.session(id, session),
        });
        shards.push(shard);
        const ready = shard.ready();
        shard.start();
        return ready;
      });
      await Promise.all(started);
    },
    messages: () => messages,
    paused: () => backpressure.paused,
  };
}

/**
 * edgeshard's shard speaking the QQ dialect, fed the same way (spool, envelope, backpressure): the QQ row of
 * bench:gateway. QQ has no transport compression, so it compares with the Discord rows at `none`.
 */
export function edgeshardQQClient(
  o: ClientOptions & { emulatorUrl: string; qqAppId: string; qqAppSecret: string },
): BenchClient {
  // The coordinator's identify policy in this process (a deployed host asks the ShardCoordinator DO).
  const { gate } = inProcessIdentifyGate({
    shardCount: o.shardCount,
    maxConcurrency: o.maxConcurrency,
    windowMs: o.identifyWindowMs,
  });
  const spool = new MemorySpool();
  const logger = createLogger({}, 'error', () => {});
  const shards: Shard[] = [];
  let messages = 0;
  let platform: QQPlatform | undefined;
  const backpressure = backpressureOf(spool, shards);
  const onDispatch = (r: DispatchRecord) => {
    const { event, json } = spoolableEvent(r);
    spool.append(event, json);
    backpressure.appended();
    if (r.type === 'GROUP_AT_MESSAGE_CREATE') messages++;
  };
  if (o.acknowledge) {
    setInterval(() => {
      for (const shard of spool.shards())
        spool.ack(
          shard,
          spool.pending(shard, 1e9, 1e12).map((e) => e.pos),
        );
      backpressure.check();
    }, 10).unref();
  }
  return {
    async start(ids) {
      platform ??= await createQQPlatform({
        config: {
          appId: o.qqAppId,
          appSecret: o.qqAppSecret,
          apiUrl: `${o.emulatorUrl}/qq/api`,
          tokenUrl: `${o.emulatorUrl}/qq/app/getAppAccessToken`,
          intents: 1 << 25,
          sandbox: false,
        },
        logger,
        shardCount: o.shardCount,
      });
      await Promise.all(
        ids.map((id) => {
          const shard = platform!.makeShard(id, undefined, { logger, onDispatch, identifyGate: gate });
          shards.push(shard);
          const ready = shard.ready();
          shard.start();
          return ready;
        }),
      );
    },
    messages: () => messages,
    paused: () => backpressure.paused,
  };
}
