// npm run bench:rest — the same REST burst through edgeshard's proxy (the Worker's /api/v10 under wrangler
// dev, the real Durable Object), through @discordjs/rest alone, and through a naive client, on one emulator
// in one run. Prints completion time as a ratio to the theoretical minimum, 429s by scope, the latency the
// proxy adds per request (bench/rest/latency.ts defines it), and the requests per second one proxy
// instance sustains.
import { cpus, loadavg } from 'node:os';
import { startEmulator, snowflakeTimestamp, type Emulator } from '../emulator/index.ts';
import { localSecret } from '../scripts/lib/stack.ts';
import { directEgress } from '../workers/rest/egress.ts';
import { RestProxyCore } from '../workers/rest/proxy.ts';
import { burst, LIMITS, theoreticalMinMs } from './rest/burst.ts';
import { naive, viaCoreInProcess, viaDiscordJs, viaHandlerClient, viaProxy, type Send } from './rest/clients.ts';
import { measureLatency } from './rest/latency.ts';
import { startBenchWorker } from './rest/worker.ts';

const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

async function runBurst(name: string, emulator: Emulator, offset: number, send: Send) {
  const seed = async (channel: string) => {
    const res = await fetch(`${emulator.apiUrl}/channels/${channel}/messages`, {
      method: 'POST',
      headers: { authorization: `Bot ${emulator.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ content: 'seed' }),
    });
    return ((await res.json()) as { id: string }).id;
  };
  const calls = await burst(emulator, offset, seed);
  await new Promise((r) => setTimeout(r, 1500)); // let the seed's global second pass
  const before = emulator.counters().rest;
  const sentBefore = emulator.sentMessages().length;
  const startEpoch = Date.now();
  const start = performance.now();
  const lastByKind: Record<string, number> = {};
  const statuses = await Promise.all(
    calls.map(async (c) => {
      const status = await send(c).catch(() => 0);
      const kind = c.path.includes('/reactions/')
        ? 'reactions'
        : c.path.startsWith('/interactions/')
          ? 'callbacks'
          : 'messages';
      lastByKind[kind] = Math.max(lastByKind[kind] ?? 0, Math.round(performance.now() - start));
      return status;
    }),
  );
  const elapsed = performance.now() - start;
  const after = emulator.counters().rest;
  // When the first message of the burst reached the emulator (its snowflake's millisecond): what the client's
  // path to the limiter cost before any scheduling could happen.
  const created = emulator.sentMessages().slice(sentBefore);
  const arrivals = created.map((m) => snowflakeTimestamp(m.id) - startEpoch);
  const firstArrival = Math.min(...arrivals);
  const hot = calls[0]!.path.split('/')[2];
  const hotArrivals = created.filter((m) => m.channel_id === hot).map((m) => snowflakeTimestamp(m.id) - startEpoch);
  if (process.env.BENCH_TRACE)
    console.log(
      name,
      'hot channel arrivals (ms):',
      hotArrivals.join(' '),
      '| last message arrival:',
      Math.max(...arrivals),
      '| last answer by kind:',
      JSON.stringify(lastByKind),
    );
  const min = theoreticalMinMs(calls);
  return {
    client: name,
    requests: calls.length,
    failed: statuses.filter((s) => s === 0 || s >= 300).length,
    completionMs: Math.round(elapsed),
    theoreticalMinMs: min,
    ratio: Number((elapsed / min).toFixed(3)),
    firstArrivalMs: firstArrival,
    'ratio from 1st arrival': Number(((elapsed - firstArrival) / min).toFixed(3)),
    '429 user': after.ratelimited.user - before.ratelimited.user,
    '429 global': after.ratelimited.global - before.ratelimited.global,
    '429 shared': after.ratelimited.shared - before.ratelimited.shared,
    sentUpstream: after.requests - before.requests,
  };
}

async function main(): Promise<void> {
  // Interaction callbacks unlimited here, so latency and throughput samples never wait for a limit (the
  // emulator otherwise limits all callbacks together at 100/s).
  const emulator = await startEmulator({
    token: 'bench-bot-token',
    guilds: 110,
    messageLimit: LIMITS.messages,
    globalLimit: LIMITS.global,
    restLimits: { 'POST /interactions/:interaction_id/:interaction_token/callback': { limit: 1_000_000 } },
  });
  const worker = await startBenchWorker({
    EDGESHARD_SECRET: localSecret(),
    DISCORD_TOKEN: emulator.token,
    DISCORD_API_URL: emulator.apiUrl,
    LEDGER_URL: 'http://127.0.0.1:1/',
  });
  try {
    console.log(`load average at start: ${load()}`);
    const latencyCore = new RestProxyCore({
      apiUrl: emulator.apiUrl,
      egress: directEgress(emulator.token),
      globalPerSecond: LIMITS.global,
    });
    const latency = await measureLatency({
      apiUrl: emulator.apiUrl,
      workerUrl: worker.url,
      token: emulator.token,
      core: latencyCore,
      samples: 300,
    });
    // Throughput of one proxy instance: interaction callbacks (no global limit), 64 at a time.
    const auth = { authorization: `Bot ${emulator.token}` };
    const total = 3000;
    let next = 0;
    const tStart = performance.now();
    await Promise.all(
      Array.from({ length: 64 }, async () => {
        while (next < total) {
          const i = next++;
          await fetch(`${worker.url}/api/v10/interactions/${1400000000000000000n + BigInt(i)}/tp${i}/callback`, {
            method: 'POST',
            headers: { ...auth, 'content-type': 'application/json' },
            body: '{"type":4,"data":{"content":"x"}}',
          }).then((r) => r.arrayBuffer());
        }
      }),
    );
    const rps = total / ((performance.now() - tStart) / 1000);
    await new Promise((r) => setTimeout(r, 1500));

    const rows = [
      await runBurst('edgeshard proxy (DO, wrangler dev)', emulator, 0, viaProxy(worker.url, emulator.token)),
      await runBurst('@discordjs/rest 2.6.3 alone', emulator, 22, viaDiscordJs(emulator.url, emulator.token)),
      await runBurst('naive (retry on 429)', emulator, 44, naive(emulator.apiUrl, emulator.token)),
      await runBurst('edgeshard handler client (ctx.api → DO)', emulator, 88, viaHandlerClient(worker.url)),
      await runBurst(
        'edgeshard proxy core, in-process (no workerd)',
        emulator,
        66,
        viaCoreInProcess(
          emulator.apiUrl,
          emulator.token,
          new RestProxyCore({
            apiUrl: emulator.apiUrl,
            egress: directEgress(emulator.token),
            globalPerSecond: LIMITS.global,
          }),
        ),
      ),
    ];
    console.log(
      `\nREST burst: ${rows[0]!.requests} requests (30 on one channel, 10 on each of 20 channels, 20 reactions on one message, 40 interaction callbacks);`,
    );
    console.log(
      `limits: messages ${LIMITS.messages.limit}/${LIMITS.messages.windowMs} ms per channel, reactions 1/250 ms per channel, global ${LIMITS.global}/s (sliding)\n`,
    );
    console.table(rows);
    const f = (p: { p50: number; p99: number }) => `p50 ${p.p50.toFixed(2)} ms, p99 ${p.p99.toFixed(2)} ms`;
    console.log(`\nlatency, 300 interleaved samples of an interaction callback (never rate limited):`);
    console.log(`  direct to the emulator:                     ${f(latency.direct)}`);
    console.log(`  no-op Worker route (wrangler dev's chain):  ${f(latency.noopRoute)}`);
    console.log(`  through the proxy (/api/v10 → DO → emulator): ${f(latency.proxy)}`);
    console.log(`  added by the proxy (proxy − direct):        ${f(latency.added)}`);
    console.log(`  of which the proxy's own (− no-op route):   ${f(latency.addedWithoutChain)}`);
    console.log(`  proxy core in-process (core − direct):      ${f(latency.addedInProcess)}`);
    console.log(
      `one proxy instance: ${Math.round(rps)} requests/s (interaction callbacks, 64 concurrent, through wrangler dev)`,
    );
    console.log(`machine: ${cpus().length} cores, load average at the end ${load()}`);
  } finally {
    await worker.stop('SIGINT');
    await emulator.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
