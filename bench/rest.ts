// npm run bench:rest — the same REST burst through edgeshard's proxy (the Worker's /api/v10 under wrangler
// dev, the real Durable Object), through @discordjs/rest alone, and through a naive client, on one emulator
// in one run. Prints completion time as a ratio to the theoretical minimum, 429s by scope, the latency the
// proxy adds per request (p50), and the requests per second one proxy instance sustains.
import { mkdtempSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, type Emulator } from '../emulator/index.ts';
import { freePort } from '../scripts/lib/proc.ts';
import { localSecret, ROOT, startWorkerProcess } from '../scripts/lib/stack.ts';
import { burst, LIMITS, theoreticalMinMs } from './rest/burst.ts';
import { naive, viaCoreInProcess, viaDiscordJs, viaProxy, type Send } from './rest/clients.ts';
import { directEgress } from '../workers/rest/egress.ts';
import { RestProxyCore } from '../workers/rest/proxy.ts';

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

async function timed(n: number, fn: () => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn();
    out.push(performance.now() - t);
  }
  return out;
}

async function runBurst(name: string, emulator: Emulator, offset: number, send: Send) {
  const seed = async (channel: string) => {
    const res = await fetch(`${emulator.apiUrl}/channels/${channel}/messages`, { method: 'POST', headers: { authorization: `Bot ${emulator.token}`, 'content-type': 'application/json' }, body: JSON.stringify({ content: 'seed' }) });
    return ((await res.json()) as { id: string }).id;
  };
  const calls = await burst(emulator, offset, seed);
  await new Promise((r) => setTimeout(r, 1500)); // let the seed's global second pass
  const before = emulator.counters().rest;
  const start = performance.now();
  const statuses = await Promise.all(calls.map((c) => send(c).catch(() => 0)));
  const elapsed = performance.now() - start;
  const after = emulator.counters().rest;
  const min = theoreticalMinMs(calls);
  return {
    client: name,
    requests: calls.length,
    failed: statuses.filter((s) => s === 0 || s >= 300).length,
    completionMs: Math.round(elapsed),
    theoreticalMinMs: min,
    ratio: Number((elapsed / min).toFixed(3)),
    '429 user': after.ratelimited.user - before.ratelimited.user,
    '429 global': after.ratelimited.global - before.ratelimited.global,
    '429 shared': after.ratelimited.shared - before.ratelimited.shared,
    sentUpstream: after.requests - before.requests,
  };
}

async function main(): Promise<void> {
  const emulator = await startEmulator({ token: 'bench-bot-token', guilds: 90, messageLimit: LIMITS.messages, globalLimit: LIMITS.global });
  const worker = await startWorkerProcess({
    port: await freePort(),
    inspectorPort: await freePort(),
    persistTo: join(mkdtempSync(join(tmpdir(), 'edgeshard-bench-rest-')), 'wrangler'),
    config: `${ROOT}test/e2e/wrangler.e2e.toml`,
    vars: { EDGESHARD_SECRET: localSecret(), DISCORD_TOKEN: emulator.token, DISCORD_API_URL: emulator.apiUrl, LEDGER_URL: 'http://127.0.0.1:1/' },
  });
  try {
    const auth = { authorization: `Bot ${emulator.token}` };
    // Latency: the same unlimited-enough call, sequentially, direct and through the proxy (after warm-up).
    await timed(50, () => fetch(`${worker.url}/api/v10/gateway`, { headers: auth }).then((r) => r.arrayBuffer()));
    const direct = await timed(300, () => fetch(`${emulator.apiUrl}/gateway`, { headers: auth }).then((r) => r.arrayBuffer()));
    await new Promise((r) => setTimeout(r, 1100));
    const proxied = await timed(300, () => fetch(`${worker.url}/api/v10/gateway`, { headers: auth }).then((r) => r.arrayBuffer()));
    await new Promise((r) => setTimeout(r, 1100));
    const inProcess = new RestProxyCore({ apiUrl: emulator.apiUrl, egress: directEgress(emulator.token), globalPerSecond: LIMITS.global });
    const core = await timed(300, () => inProcess.request({ method: 'GET', path: '/gateway' }));
    // Throughput of one proxy instance: interaction callbacks (no global limit), 64 at a time.
    const total = 3000;
    let next = 0;
    const tStart = performance.now();
    await Promise.all(
      Array.from({ length: 64 }, async () => {
        while (next < total) {
          const i = next++;
          await fetch(`${worker.url}/api/v10/interactions/${1300000000000000000n + BigInt(i)}/tp${i}/callback`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: '{"type":4,"data":{"content":"x"}}' }).then((r) => r.arrayBuffer());
        }
      }),
    );
    const rps = total / ((performance.now() - tStart) / 1000);
    await new Promise((r) => setTimeout(r, 1500));

    const rows = [
      await runBurst('edgeshard proxy (DO, wrangler dev)', emulator, 0, viaProxy(worker.url, emulator.token)),
      await runBurst('@discordjs/rest 2.6.3 alone', emulator, 22, viaDiscordJs(emulator.url, emulator.token)),
      await runBurst('naive (retry on 429)', emulator, 44, naive(emulator.apiUrl, emulator.token)),
      await runBurst('edgeshard proxy core, in-process (no workerd)', emulator, 66, viaCoreInProcess(emulator.apiUrl, emulator.token, new RestProxyCore({ apiUrl: emulator.apiUrl, egress: directEgress(emulator.token), globalPerSecond: LIMITS.global }))),
    ];
    console.log(`\nREST burst: ${rows[0]!.requests} requests (30 on one channel, 10 on each of 20 channels, 20 reactions on one message, 40 interaction callbacks);`);
    console.log(`limits: messages ${LIMITS.messages.limit}/${LIMITS.messages.windowMs} ms per channel, reactions 1/250 ms per channel, global ${LIMITS.global}/s (sliding)\n`);
    console.table(rows);
    const added = pct(proxied, 50) - pct(direct, 50);
    console.log(`latency p50: direct ${pct(direct, 50).toFixed(2)} ms, through the proxy ${pct(proxied, 50).toFixed(2)} ms → added ${added.toFixed(2)} ms (p90 added ${(pct(proxied, 90) - pct(direct, 90)).toFixed(2)} ms)`);
    console.log(`proxy core in-process (limiter + transport, no workerd): p50 ${pct(core, 50).toFixed(2)} ms → added ${(pct(core, 50) - pct(direct, 50)).toFixed(2)} ms`);
    console.log(`one proxy instance: ${Math.round(rps)} requests/s (interaction callbacks, 64 concurrent, through wrangler dev)`);
    console.log(`machine: ${cpus().length} cores, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  } finally {
    await worker.stop('SIGINT');
    await emulator.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
