// `npm run bench:delivery`: emulator → shard → forwarder → local Worker (wrangler dev) → handler, with
// edgeshard's spool + batching forwarder against a naive one-POST-per-event forwarder, in one run, on the
// same emulator and Worker. The shards run in this process so each event's receipt time is known; the
// bench Worker's observing handler (bench/delivery/worker-entry.mjs) notes when it ran each MESSAGE_CREATE
// and reports the times to a ledger here: added latency = handler start − receipt on the host (one
// clock); the wait in the host = the request carrying the event leaves − receipt (what batching adds).
// Phases per forwarder: a steady 1,000 events/s over 8 shards (latency, Worker requests per 1,000 events),
// then a burst (end-to-end dispatches per second, receipt of the first to handling of the last). The
// forwarder runs with the host's defaults (shard-host/config.ts) unless `--linger` sweeps.
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { eventId, type EventEnvelope } from '../protocol/index.ts';
import { freePort, waitFor } from '../scripts/lib/proc.ts';
import { localSecret, ROOT, startEmulatorProcess, startWorkerProcess } from '../scripts/lib/stack.ts';
import { CONFIG_NAMES } from '../shard-host/config.ts';
import { Forwarder } from '../shard-host/forwarder/forwarder.ts';
import { HttpTransport } from '../shard-host/forwarder/http-transport.ts';
import type { BatchTransport } from '../shard-host/forwarder/transport.ts';
import { fetchGatewayBot } from '../shard-host/gateway-info.ts';
import { Shard, type DispatchRecord } from '../shard-host/gateway/index.ts';
import { inProcessIdentifyGate } from '../shard-host/lease/in-process.ts';
import { createLogger } from '../shard-host/log.ts';
import { FileSpool } from '../shard-host/spool/file.ts';
import { NaiveForwarder } from './delivery/naive.ts';

const { values: args } = parseArgs({
  allowNegative: true,
  options: {
    rate: { type: 'string', default: '1000' },
    seconds: { type: 'string', default: '10' },
    'burst-rate': { type: 'string', default: '3000' },
    'burst-seconds': { type: 'string', default: '5' },
    /** One or more, comma-separated: each linger is a separate edgeshard run (a sweep). */
    linger: { type: 'string', default: CONFIG_NAMES.EDGESHARD_BATCH_LINGER_MS },
    naive: { type: 'boolean', default: true },
    /** Shards the traffic is spread over (each has its own batches: events per request fall with more). */
    shards: { type: 'string', default: '8' },
  },
});
const SHARDS = Number(args.shards);
/** The host's defaults (shard-host/config.ts). */
const D = (name: keyof typeof CONFIG_NAMES) => Number(CONFIG_NAMES[name]);
const log = createLogger({ bench: 'delivery' }, 'warn');

interface Sink {
  name: string;
  accept(event: EventEnvelope): void;
  /** When the request carrying each event left, by event id (edgeshard only). */
  sentAt?: Map<string, number>;
  requests(): number;
  lost(): number;
  close(): Promise<void>;
}

interface Phase {
  events: number;
  handled: number;
  requests: number;
  perThousand: number;
  p50: number;
  p99: number;
  /** Wait in the host: receipt → the request carrying the event leaves (NaN for the naive forwarder). */
  waitP50: number;
  waitP99: number;
  perSecond: number;
  lost: number;
}

const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? NaN;

async function main(): Promise<void> {
  const load = {
    before: loadavg()
      .map((n) => n.toFixed(2))
      .join(' '),
    cpus: cpus().length,
    model: cpus()[0]?.model ?? '?',
  };
  process.stderr.write(`bench:delivery on ${load.cpus} × ${load.model}, load average ${load.before}\n`);
  const arrivals = new Map<string, number>();
  const ledger = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      for (const { eventId: id, t } of JSON.parse(body) as { eventId: string; t: number }[])
        if (!arrivals.has(id)) arrivals.set(id, t);
      res.end('ok');
    });
  });
  await new Promise<void>((r) => ledger.listen(0, '127.0.0.1', r));
  const ledgerUrl = `http://127.0.0.1:${(ledger.address() as { port: number }).port}/`;
  const secret = localSecret();
  const dir = mkdtempSync(join(tmpdir(), 'edgeshard-bench-delivery-'));
  const emulator = await startEmulatorProcess([
    '--port',
    '0',
    '--shards',
    String(SHARDS),
    '--guilds',
    String(Math.max(20, SHARDS * 4)),
    '--rate',
    '0',
    '--identify-window-ms',
    '200',
  ]);
  const worker = await startWorkerProcess({
    port: await freePort(),
    inspectorPort: await freePort(),
    persistTo: join(dir, 'wrangler'),
    config: `${ROOT}bench/delivery/wrangler.toml`,
    vars: {
      EDGESHARD_SECRET: secret,
      DISCORD_TOKEN: emulator.token,
      DISCORD_API_URL: emulator.apiUrl,
      LEDGER_URL: ledgerUrl,
    },
  });
  const traffic = (rate: number) =>
    fetch(`${emulator.url}/_emulator/traffic`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ rate }),
    });
  const gateway = await fetchGatewayBot(emulator.apiUrl, emulator.token);

  async function phase(sink: Sink, rate: number, seconds: number): Promise<Phase> {
    const received = new Map<string, number>();
    // The coordinator's identify policy in this process (a deployed host asks the ShardCoordinator DO).
    const { gate: identifyGate } = inProcessIdentifyGate({ shardCount: SHARDS, maxConcurrency: 1, windowMs: 200 });
    const shards = Array.from(
      { length: SHARDS },
      (_, id) =>
        new Shard({
          id,
          count: SHARDS,
          token: emulator.token,
          intents: 1 | 512 | 32768,
          gatewayUrl: gateway.url,
          compress: 'zlib-stream',
          identifyGate,
          logger: log,
          onDispatch: (r: DispatchRecord) => {
            const event: EventEnvelope = {
              id: eventId('discord', r.shard, r.session, r.seq),
              platform: 'discord',
              shard: r.shard,
              session: r.session,
              seq: r.seq,
              type: r.type,
              data: r.data,
              receivedAt: r.receivedAt,
            };
            if (r.type === 'MESSAGE_CREATE') received.set(event.id, r.receivedAt);
            sink.accept(event);
          },
        }),
    );
    shards.forEach((s) => s.start());
    await Promise.all(shards.map((s) => s.ready()));
    // Requests are counted from here: the sessions' READY and GUILD_CREATEs are not the steady traffic.
    await new Promise((r) => setTimeout(r, 500));
    const requestsBefore = sink.requests();
    await traffic(rate);
    await new Promise((r) => setTimeout(r, seconds * 1000));
    await traffic(0);
    await new Promise((r) => setTimeout(r, 300));
    await waitFor(
      `${sink.name}: every event handled`,
      () => ([...received.keys()].every((id) => arrivals.has(id)) ? true : undefined),
      { timeoutMs: 120_000, intervalMs: 250 },
    ).catch(() => undefined);
    await Promise.all(shards.map((s) => s.stop({ resumable: false })));
    const latencies: number[] = [];
    const waits: number[] = [];
    let first = Infinity;
    let last = 0;
    for (const [id, at] of received) {
      const arrived = arrivals.get(id);
      if (arrived === undefined) continue;
      latencies.push(arrived - at);
      const sent = sink.sentAt?.get(id);
      if (sent !== undefined) waits.push(sent - at);
      first = Math.min(first, at);
      last = Math.max(last, arrived);
    }
    latencies.sort((a, b) => a - b);
    waits.sort((a, b) => a - b);
    const requests = sink.requests() - requestsBefore;
    return {
      events: received.size,
      handled: latencies.length,
      requests,
      perThousand: (requests / received.size) * 1000,
      p50: pct(latencies, 50),
      p99: pct(latencies, 99),
      waitP50: pct(waits, 50),
      waitP99: pct(waits, 99),
      perSecond: latencies.length / ((last - first) / 1000),
      lost: received.size - latencies.length,
    };
  }

  const lingers = args.linger.split(',').map(Number);
  const sinks: (() => Sink)[] = lingers.map((linger) => () => {
    const spool = FileSpool.open({ dir: join(dir, `spool-${linger}`), logger: log });
    // The host's HTTP transport, noting when each request leaves with which events.
    const http = new HttpTransport({ workerUrl: worker.url, secret });
    const sentAt = new Map<string, number>();
    const transport: BatchTransport = {
      target: http.target,
      send: (body) => {
        const now = Date.now();
        for (const e of (JSON.parse(body) as { events: { id: string }[] }).events)
          if (!sentAt.has(e.id)) sentAt.set(e.id, now);
        return http.send(body);
      },
      close: () => http.close(),
    };
    const forwarder = new Forwarder({
      transport,
      hostId: 'bench',
      spool,
      logger: log,
      maxEvents: D('EDGESHARD_BATCH_MAX_EVENTS'),
      maxBytes: D('EDGESHARD_BATCH_MAX_BYTES'),
      lingerMs: linger,
    });
    return {
      name: `edgeshard (spool + batches, linger ${linger} ms)`,
      sentAt,
      accept: (e) => {
        spool.append(e);
        forwarder.notify(e.shard);
      },
      requests: () => forwarder.stats.batchesSent + forwarder.stats.retries,
      lost: () => spool.depth().events,
      close: async () => {
        await forwarder.close();
        await spool.close();
      },
    };
  });
  if (args.naive) {
    sinks.push(() => {
      const naive = new NaiveForwarder(worker.url, secret);
      return {
        name: 'naive (one POST per event)',
        accept: (e) => naive.accept(e),
        requests: () => naive.requests,
        lost: () => naive.lost,
        close: () => naive.close(),
      };
    });
  }

  const results: { name: string; steady: Phase; burst: Phase }[] = [];
  try {
    for (const make of sinks) {
      const sink = make();
      // Warm-up, not reported: the first requests to a fresh isolate pay for its start.
      await phase(sink, 100, 1);
      process.stderr.write(`  ${sink.name}: steady ${args.rate}/s for ${args.seconds} s…\n`);
      const steady = await phase(sink, Number(args.rate), Number(args.seconds));
      process.stderr.write(`  ${sink.name}: burst ${args['burst-rate']}/s for ${args['burst-seconds']} s…\n`);
      const burst = await phase(sink, Number(args['burst-rate']), Number(args['burst-seconds']));
      await sink.close();
      results.push({ name: sink.name, steady, burst });
    }
  } finally {
    await worker.stop('SIGINT');
    await emulator.stop('SIGINT');
    ledger.close();
  }

  const naive = args.naive ? results.at(-1) : undefined;
  const ours = results[lingers.indexOf(D('EDGESHARD_BATCH_LINGER_MS'))] ?? results[0]!;
  const row = (r: (typeof results)[0]) =>
    `${r.name.padEnd(42)} ${r.steady.perThousand.toFixed(1).padStart(8)} req/1000 ev  ${(r.steady.events / r.steady.requests).toFixed(1).padStart(6)} ev/req  ` +
    `p50 ${r.steady.p50.toFixed(0).padStart(5)} ms  p99 ${r.steady.p99.toFixed(0).padStart(5)} ms  ` +
    (Number.isNaN(r.steady.waitP99)
      ? ''
      : `wait in host p50 ${r.steady.waitP50.toFixed(0)} ms p99 ${r.steady.waitP99.toFixed(0)} ms  `) +
    `burst ${r.burst.perSecond.toFixed(0).padStart(6)} ev/s  ` +
    `lost ${r.steady.lost + r.burst.lost} of ${r.steady.events + r.burst.events}`;
  process.stdout.write(
    [
      '',
      `steady ${args.rate} events/s for ${args.seconds} s, then a burst at ${args['burst-rate']}/s for ${args['burst-seconds']} s; ${SHARDS} shards; Worker under wrangler dev`,
      ...results.map(row),
      naive
        ? `ratios (${ours.name} vs naive): Worker requests ${(naive.steady.perThousand / ours.steady.perThousand).toFixed(1)}× fewer; ` +
          `p99 ${(naive.steady.p99 / ours.steady.p99).toFixed(2)}× (>1 = edgeshard lower); burst throughput ${(ours.burst.perSecond / naive.burst.perSecond).toFixed(2)}×`
        : '',
      `machine: ${load.cpus} × ${load.model}; load average before ${load.before}, after ${loadavg()
        .map((n) => n.toFixed(2))
        .join(' ')}`,
      '',
    ].join('\n'),
  );
  const lost = results.reduce((n, r) => n + r.steady.lost + r.burst.lost, 0);
  if (results.some((r) => r !== naive && r.steady.lost + r.burst.lost > 0)) process.exitCode = 1;
  if (lost > 0) process.stderr.write(`events not handled: ${lost}\n`);
}

await main();
