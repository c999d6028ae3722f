// @discordjs/ws 2.0.4: read the frame, zlib-stream inflate with node:zlib (its ZlibNative method; the
// optional zlib-sync package is not installed), JSON.parse, its shard logic, emit 'dispatch'; the listener
// only counts. No spool, no forwarding.
import { CompressionMethod, WebSocketManager, WebSocketShardEvents, type IIdentifyThrottler } from '@discordjs/ws';
import { REST } from '@discordjs/rest';
import { setTimeout as sleep } from 'node:timers/promises';
import { INTENTS, type BenchClient, type ClientOptions } from './types.ts';

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
