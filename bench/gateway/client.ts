// One benchmark client process: `node [--expose-gc] bench/gateway/client.ts --lib edgeshard|discordjs
// --mode throughput|idle|overload|ready ...`. Prints one JSON result line on stdout; drives the emulator
// (blast mode) through its control API.
import { parseArgs } from 'node:util';
import type { BenchClient, ClientOptions } from './clients/types.ts';

const { values: a } = parseArgs({
  options: {
    lib: { type: 'string' },
    mode: { type: 'string' },
    emulator: { type: 'string' },
    token: { type: 'string' },
    shards: { type: 'string', default: '1' },
    'shard-count': { type: 'string' },
    compress: { type: 'string', default: 'zlib-stream' },
    'max-concurrency': { type: 'string', default: '1' },
    'identify-window-ms': { type: 'string', default: '5000' },
    count: { type: 'string', default: '40000' },
    'duration-ms': { type: 'string', default: '15000' },
    level: { type: 'string', default: '1' },
    sink: { type: 'string', default: 'instant' },
    'qq-app-id': { type: 'string' },
    'qq-app-secret': { type: 'string' },
    worker: { type: 'string' },
    secret: { type: 'string', default: 'bench-secret' },
    rate: { type: 'string' },
  },
});

const emulator = a.emulator!;
const shards = Number(a.shards);
const options: ClientOptions = {
  apiUrl: `${emulator}/api/v10`,
  gatewayUrl: `${emulator.replace(/^http/, 'ws')}/gateway`,
  token: a.token!,
  shardCount: Number(a['shard-count'] ?? shards),
  compress: a.compress === 'zlib-stream',
  maxConcurrency: Number(a['max-concurrency']),
  identifyWindowMs: Number(a['identify-window-ms']),
  acknowledge: a.sink !== 'none',
};
const qq = a.lib === 'edgeshard-qq';
// Only the library under test is loaded (its own modules, so the process's RSS is that library's).
const client: BenchClient =
  a.lib === 'discordjs'
    ? (await import('./clients/discordjs.ts')).discordjsClient(options)
    : a.lib === 'discordeno'
      ? await (await import('./clients/discordeno.ts')).discordenoClient(options)
      : qq
        ? (await import('./clients/edgeshard.ts')).edgeshardQQClient({
            ...options,
            emulatorUrl: emulator,
            qqAppId: a['qq-app-id']!,
            qqAppSecret: a['qq-app-secret']!,
          })
        : (await import('./clients/edgeshard.ts')).edgeshardClient({
            ...options,
            workerUrl: a.worker!,
            secret: a.secret!,
          });
/** The QQ gateway's blast lives under /_emulator/qq (count per session; no byte budget or duration). */
const rate = a.rate === undefined ? {} : { ratePerShard: Number(a.rate) };
const blast = (body: { bytes: number; count: number; ratePerShard?: number }) =>
  qq ? control('/qq/blast', body) : control('/blast', body);
const ids = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);
const control = async (path: string, body?: unknown) => {
  const res = await fetch(
    `${emulator}/_emulator${path}`,
    body === undefined
      ? {}
      : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) },
  );
  if (!res.ok) throw new Error(`emulator ${path}: ${res.status} ${await res.text()}`);
  return res.json() as Promise<Record<string, unknown>>;
};
const until = async (cond: () => boolean, timeoutMs: number) => {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('benchmark client timed out');
    await new Promise((r) => setTimeout(r, 2));
  }
};
const gc = async () => {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (!collect) throw new Error('run with --expose-gc');
  for (let i = 0; i < 3; i++) {
    await new Promise((r) => setTimeout(r, 100));
    collect();
  }
};

async function run(): Promise<Record<string, unknown>> {
  switch (a.mode) {
    case 'throughput': {
      await client.start(ids(0, shards));
      const perShard = Math.ceil(Number(a.count) / shards);
      // Warm-up (JIT, buffers), not measured.
      await blast({ bytes: 1024, count: Math.ceil(5_000 / shards) });
      await until(() => client.messages() >= Math.ceil(5_000 / shards) * shards, 60_000);
      const base = client.messages();
      const cpu = process.cpuUsage();
      const t0 = performance.now();
      await blast({ bytes: 1024, count: perShard, ...rate });
      await until(() => client.messages() >= base + perShard * shards, 120_000);
      const wallS = (performance.now() - t0) / 1000;
      const used = process.cpuUsage(cpu);
      const dispatches = client.messages() - base;
      const cpuS = (used.user + used.system) / 1e6;
      return {
        dispatches,
        wallS,
        cpuS,
        perSecond: dispatches / wallS,
        cpuPer100k: (cpuS * 100_000) / dispatches,
        systemPer100k: (used.system * 0.1) / dispatches,
      };
    }
    case 'idle': {
      // Heap growth per idle READY shard between `from` and `shards` shards, after forced GC.
      const from = 20;
      await client.start(ids(0, from));
      await gc();
      const h1 = process.memoryUsage().heapUsed;
      const r1 = process.memoryUsage().rss;
      await client.start(ids(from, shards));
      await gc();
      const h2 = process.memoryUsage().heapUsed;
      const r2 = process.memoryUsage().rss;
      return {
        rssPerShardBytes: (r2 - r1) / (shards - from),
        rssAtFrom: r1,
        from,
        to: shards,
        heapPerShardBytes: (h2 - h1) / (shards - from),
        heapAtFrom: h1,
        heapAtTo: h2,
        rss: r2,
      };
    }
    case 'overload': {
      await client.start(ids(0, shards));
      const durationMs = Number(a['duration-ms']);
      const samples: { t: number; rss: number; heap: number }[] = [];
      const t0 = Date.now();
      await control('/blast', { bytes: 1024, durationMs, highWaterBytes: 8 * 1024 * 1024, level: Number(a.level) });
      let pausedSamples = 0;
      while (Date.now() - t0 < durationMs) {
        await new Promise((r) => setTimeout(r, 250));
        const m = process.memoryUsage();
        samples.push({ t: Date.now() - t0, rss: m.rss, heap: m.heapUsed });
        if (client.paused()) pausedSamples++;
      }
      const peakRss = Math.max(...samples.map((s) => s.rss));
      const at = (ms: number) => samples.find((s) => s.t >= ms) ?? samples.at(-1)!;
      return {
        durationMs,
        received: client.messages(),
        peakRss,
        rssAt5s: at(5_000).rss,
        rssAt10s: at(10_000).rss,
        rssEnd: samples.at(-1)!.rss,
        peakHeap: Math.max(...samples.map((s) => s.heap)),
        pausedShare: pausedSamples / samples.length,
      };
    }
    case 'ready': {
      const t0 = performance.now();
      await client.start(ids(0, shards));
      return { readyMs: performance.now() - t0 };
    }
    default:
      throw new Error(`unknown --mode ${a.mode}`);
  }
}

run().then(
  (result) => {
    const total = process.cpuUsage();
    process.stdout.write(
      `${JSON.stringify({ result: { ...result, processCpuS: (total.user + total.system) / 1e6 } })}\n`,
    );
    process.exit(0);
  },
  (err: unknown) => {
    process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
