// The two gateway clients under test, behind one small interface so every scenario drives them the same
// way. Each runs in its own process (client.ts), so process.cpuUsage() measures one client alone.
//
// What each side does per dispatch:
// - edgeshard: read the frame, zlib-stream inflate (one synchronous context per connection), JSON.parse,
//   the shard state machine (seq, dedup), build the event envelope and its JSON around the payload's raw `d`
//   text (shard-host/gateway/envelope.ts, as the host does), append both to the host's MemorySpool,
//   backpressure bookkeeping; an in-process sink plays an
//   instantly acknowledging Worker and removes spooled events every 10 ms (in overload mode nothing
//   acknowledges, so the spool fills to its high-water mark and backpressure pauses the socket).
// - @discordjs/ws 2.0.4: read the frame, zlib-stream inflate with node:zlib (its ZlibNative method; the
//   optional zlib-sync package is not installed), JSON.parse, its shard logic, emit 'dispatch'; the listener
//   only counts. It keeps nothing, so its figure has no spooling cost at all.
import { CompressionMethod, WebSocketManager, WebSocketShardEvents, type IIdentifyThrottler } from '@discordjs/ws';
import { REST } from '@discordjs/rest';
import { setTimeout as sleep } from 'node:timers/promises';
import { Backpressure, Shard, spoolableEvent, type DispatchRecord } from '../../shard-host/gateway/index.ts';
import { createLogger } from '../../shard-host/log.ts';
import { inProcessIdentifyGate } from '../../shard-host/lease/in-process.ts';
import { createQQPlatform, type QQPlatform } from '../../shard-host/platforms/qq.ts';
import { MemorySpool } from '../../shard-host/spool/memory.ts';
import { FileSpool } from '../../shard-host/spool/file.ts';
import { Forwarder } from '../../shard-host/forwarder/forwarder.ts';
import { HttpTransport } from '../../shard-host/forwarder/http-transport.ts';
import { deliveryMetrics } from '../../shard-host/metrics/delivery.ts';
import { createRegistry } from '../../shard-host/metrics/registry.ts';
import { SessionTracker } from '../../shard-host/sessions/tracker.ts';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ClientOptions {
  apiUrl: string;
  gatewayUrl: string;
  token: string;
  shardCount: number;
  compress: boolean;
  maxConcurrency: number;
  identifyWindowMs: number;
  /** false: nothing acknowledges the spool (a Worker that is down), so it fills to the host's default
   *  high-water mark and backpressure holds it there. */
  acknowledge: boolean;
}

export interface BenchClient {
  /** Starts these shards; resolves when every one of them is READY. */
  start(ids: number[]): Promise<void>;
  messages(): number;
  paused(): boolean;
}

const INTENTS = 1 | 512 | 32768; // guilds, guild messages, message content

export function edgeshardClient(o: ClientOptions & { workerUrl: string; secret: string }): BenchClient {
  // The coordinator's identify policy in this process (a deployed host asks the ShardCoordinator DO).
  const { gate } = inProcessIdentifyGate({
    shardCount: o.shardCount,
    maxConcurrency: o.maxConcurrency,
    windowMs: o.identifyWindowMs,
  });
  const logger = createLogger({}, 'error', () => {});
  // The host's defaults (shard-host/config.ts): the file spool with fsync before each batch, 32 MiB or
  // 50 000 events of high water, batches of up to 100 events / 512 KiB lingering 20 ms.
  const dir = mkdtempSync(join(tmpdir(), 'edgeshard-bench-spool-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  const spool = FileSpool.open({ dir, logger, durability: { mode: 'batch' }, maxBytes: 268_435_456 });
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
    maxEvents: 100,
    maxBytes: 524_288,
    lingerMs: 20,
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
  const backpressure = new Backpressure({
    high: { events: 50_000, bytes: 32 * 1024 * 1024 },
    depth: () => spool.depth(),
    pause: () => shards.forEach((s) => s.pauseReading()),
    resume: () => shards.forEach((s) => s.resumeReading()),
  });
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
  const backpressure = new Backpressure({
    high: { events: 50_000, bytes: 32 * 1024 * 1024 },
    depth: () => spool.depth(),
    pause: () => shards.forEach((s) => s.pauseReading()),
    resume: () => shards.forEach((s) => s.resumeReading()),
  });
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

/** @discordjs/ws's SimpleIdentifyThrottler with its 5 s window (and 1.5 s jitter) scaled to `windowMs`. */
function scaledThrottler(maxConcurrency: number, windowMs: number): IIdentifyThrottler {
  const buckets = new Map<number, Promise<void>>();
  const resetsAt = new Map<number, number>();
  return {
    async waitForIdentify(shardId) {
      const key = shardId % maxConcurrency;
      const previous = buckets.get(key) ?? Promise.resolve();
      let release!: () => void;
      buckets.set(key, new Promise<void>((r) => (release = r)));
      await previous;
      try {
        const diff = (resetsAt.get(key) ?? Infinity) - Date.now();
        if (diff > 0 && diff <= windowMs) await sleep(diff + Math.random() * windowMs * 0.3);
        resetsAt.set(key, Date.now() + windowMs);
      } finally {
        release();
      }
    },
  };
}

export function discordjsClient(o: ClientOptions): BenchClient {
  const rest = new REST({ api: o.apiUrl.replace(/\/v10$/, ''), version: '10' }).setToken(o.token);
  const ready = new Set<number>();
  const waiting = new Map<number, () => void>();
  let messages = 0;
  const managers: WebSocketManager[] = [];
  return {
    async start(ids) {
      const manager = new WebSocketManager({
        token: o.token,
        intents: INTENTS,
        rest,
        shardCount: o.shardCount,
        shardIds: ids,
        compression: o.compress ? CompressionMethod.ZlibNative : null,
        buildIdentifyThrottler: async () => scaledThrottler(o.maxConcurrency, o.identifyWindowMs),
      });
      managers.push(manager);
      manager.on(WebSocketShardEvents.Dispatch, (payload) => {
        if (payload.t === 'MESSAGE_CREATE') messages++;
      });
      manager.on(WebSocketShardEvents.Ready, (_data, shardId) => {
        ready.add(shardId);
        waiting.get(shardId)?.();
      });
      const all = Promise.all(
        ids.map((id) => (ready.has(id) ? Promise.resolve() : new Promise<void>((r) => waiting.set(id, r)))),
      );
      await manager.connect();
      await all;
    },
    messages: () => messages,
    paused: () => false,
  };
}

/** Where the bench finds @discordeno/gateway: installed outside the repository until it is a devDependency. */
export const DISCORDENO_PATH = process.env.BENCH_DISCORDENO ?? '/work/wt/perf-deps/node_modules/@discordeno/gateway';

/** @discordeno/gateway 21.0.0 with preferSnakeCase (payloads as Discord sends them); the listener only counts. */
export async function discordenoClient(o: ClientOptions): Promise<BenchClient> {
  type Manager = { spawnShards(): Promise<void>; shards: Map<number, unknown> };
  type Create = (options: Record<string, unknown>) => Manager;
  let createGatewayManager: Create;
  try {
    // Its ESM entry (package.json `exports.import`), loaded by path: it is not a dependency of this package.
    const pkg = JSON.parse(readFileSync(join(DISCORDENO_PATH, 'package.json'), 'utf8')) as {
      exports: { import: string };
    };
    const entry = pathToFileURL(join(DISCORDENO_PATH, pkg.exports.import)).href;
    ({ createGatewayManager } = (await import(entry)) as { createGatewayManager: Create });
  } catch (err) {
    throw new Error(
      `@discordeno/gateway not found at ${DISCORDENO_PATH} (${(err as Error).message}): install it with ` +
        '`npm install -D @discordeno/gateway@21.0.0`, or set BENCH_DISCORDENO to its directory, or run with --libs edgeshard,discordjs',
    );
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
