// Resharding figures: 16 → 32 shards at max_concurrency 4 across four hosts, with messages flowing. Prints the
// time from `shard-host reshard --shards 32` to the switch (the command's exit) against the floor (the new
// generation's identify schedule: 32 / 4 buckets, one identify per bucket per window), events lost (emulator
// MESSAGE_CREATE ids never handled) and handled twice (the same message id in the handlers' ledger twice).
// Run: npm run bench:reshard   (identify window 1 s on the emulator and the coordinator; the emulator is the
// only stand-in)
import { spawn } from 'node:child_process';
import { ROOT } from '../scripts/lib/stack.ts';
import { identifyFloorMs } from '../coordination/reshard.ts';
import { startCluster } from '../test/e2e/coordinator-system.ts';

const FROM = 16;
const TO = 32;
const MAX_CONCURRENCY = 4;
const WINDOW_MS = 1_000;

const cluster = await startCluster(
  [
    '--shards',
    String(FROM),
    '--max-concurrency',
    String(MAX_CONCURRENCY),
    '--guilds',
    '64',
    '--rate',
    '30',
    '--identify-window-ms',
    String(WINDOW_MS),
  ],
  { EDGESHARD_IDENTIFY_WINDOW_MS: String(WINDOW_MS), EDGESHARD_RESHARD_AT: 'off' },
);
try {
  for (const id of ['h0', 'h1', 'h2', 'h3']) cluster.startHost(id);
  await cluster.allReady(FROM, 120_000);
  const before = await cluster.counters();
  const started = Date.now();
  const lines: string[] = [];
  const code = await new Promise<number>((resolve) => {
    const child = spawn(
      process.execPath,
      [`${ROOT}shard-host/bin.mjs`, 'reshard', '--shards', String(TO), '--poll-ms', '100'],
      {
        env: {
          PATH: process.env.PATH ?? '',
          EDGESHARD_WORKER_URL: cluster.worker.url,
          EDGESHARD_SECRET: cluster.secret,
        },
      },
    );
    child.stdout.on('data', (d: Buffer) => lines.push(...d.toString().trim().split('\n')));
    child.stderr.on('data', (d: Buffer) => lines.push(d.toString().trim()));
    child.on('exit', (c) => resolve(c ?? -1));
  });
  const switchMs = Date.now() - started;
  if (code !== 0) throw new Error(`reshard exited ${code}: ${lines.join('\n')}`);
  await cluster.allReady(TO, 60_000);
  await new Promise((r) => setTimeout(r, 3_000)); // traffic on the new generation only
  const delivery = await cluster.everyMessageHandled(90_000).catch(async () => {
    const dispatched = await cluster.emu<{ id?: string }[]>('/_emulator/dispatched?type=MESSAGE_CREATE');
    const handled = new Set(cluster.ledger.entries.map((e) => e.messageId));
    const ids = [...new Set(dispatched.map((d) => d.id!))];
    return { sent: ids, handled: handled.size, duplicates: -1, lost: ids.filter((id) => !handled.has(id)).length };
  });
  const c = (await cluster.counters()) as Awaited<ReturnType<typeof cluster.counters>> & {
    maxConcurrentConnectionsByGeneration: Record<string, number>;
  };
  const floor = identifyFloorMs(TO, MAX_CONCURRENCY, WINDOW_MS);
  console.log(
    JSON.stringify(
      {
        from: FROM,
        to: TO,
        maxConcurrency: MAX_CONCURRENCY,
        identifyWindowMs: WINDOW_MS,
        commandToSwitchMs: switchMs,
        identifyFloorMs: floor,
        overFloor: `${(switchMs / floor).toFixed(2)}×`,
        progress: lines,
        eventsSent: delivery.sent.length,
        eventsLost: 'lost' in delivery ? delivery.lost : 0,
        handledTwice: delivery.duplicates,
        identifies: c.identifies - before.identifies,
        identifyViolations: c.identifyViolations - before.identifyViolations,
        maxConnectionsPerShardAndCount: Math.max(...Object.values(c.maxConcurrentConnectionsByGeneration)),
      },
      null,
      2,
    ),
  );
} finally {
  await cluster.stop();
}
