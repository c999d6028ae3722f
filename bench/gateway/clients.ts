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

export function edgeshardClient(o: ClientOptions): BenchClient {
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
  // The host's defaults (shard-host/config.ts): 32 MiB or 50 000 events.
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
    backpressure.appended();
    if (r.type === 'MESSAGE_CREATE') messages++;
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
