// Failover and rebalance figures for the coordinator: 5 rounds of SIGKILL one of three hosts → its shards
// resumed on the others; then a replacement host joins → shards move to it by handoff. Prints the median
// failover time, events lost (emulator MESSAGE_CREATE ids never handled), duplicates delivered, and the
// identifies spent during failovers and rebalances (0 when sessions are resumable).
// Run: npm run bench:failover   (lease TTL 3 s, renew every 1 s; the emulator is the only stand-in)
import { waitFor } from '../scripts/lib/proc.ts';
import { LEASE_TTL_MS, startCluster } from '../test/e2e/coordinator-system.ts';

const SHARDS = 8;
const ROUNDS = Number(process.env.ROUNDS ?? 5);

const cluster = await startCluster(
  [
    '--shards',
    String(SHARDS),
    '--max-concurrency',
    '4',
    '--guilds',
    '32',
    '--rate',
    '30',
    '--identify-window-ms',
    '1000',
  ],
  { EDGESHARD_IDENTIFY_WINDOW_MS: '1500' },
);
const failovers: number[] = [];
let identifiesDuringMoves = 0;
try {
  let next = 0;
  const live = ['h0', 'h1', 'h2'].map((id) => cluster.startHost(id));
  next = 3;
  await cluster.allReady(SHARDS, 90_000);
  for (let round = 0; round < ROUNDS; round++) {
    const status = await cluster.status();
    const victim = live.find((h) => status.shards.some((s) => s.owner === h.id))!;
    const moved = status.shards.filter((s) => s.owner === victim.id).map((s) => String(s.shard));
    const before = await cluster.counters();
    const killedAt = Date.now();
    victim.child.kill('SIGKILL');
    live.splice(live.indexOf(victim), 1);
    await waitFor(
      'resumed elsewhere',
      async () => {
        const c = await cluster.counters();
        return moved.every((s) => (c.resumesByShard[s] ?? 0) > (before.resumesByShard[s] ?? 0)) ? true : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 25 },
    );
    failovers.push(Date.now() - killedAt);
    await cluster.allReady(SHARDS, 30_000);
    const replacement = cluster.startHost(`h${next++}`);
    live.push(replacement);
    await waitFor(
      'the replacement to take its share',
      async () => {
        const s = await cluster.status();
        return s.shards.filter((x) => x.owner === replacement.id && x.state === 'ready').length >= 2 &&
          s.shards.every((x) => x.state === 'ready' && x.phase === 'assigned')
          ? true
          : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 100 },
    );
    const after = await cluster.counters();
    identifiesDuringMoves += after.identifies - before.identifies;
    console.log(
      JSON.stringify({
        round,
        victim: victim.id,
        moved: moved.length,
        failoverMs: failovers.at(-1),
        identifies: after.identifies - before.identifies,
      }),
    );
  }
  const c = await cluster.counters();
  const maxConcurrent = Math.max(...Object.values(c.maxConcurrentConnections));
  let lost = 0;
  let delivery = { sent: [] as string[], handled: 0, duplicates: 0 };
  try {
    delivery = await cluster.everyMessageHandled(60_000);
  } catch {
    const dispatched = await cluster.emu<{ id?: string }[]>('/_emulator/dispatched?type=MESSAGE_CREATE');
    const handled = new Set(cluster.ledger.entries.map((e) => e.messageId));
    lost = new Set(dispatched.map((d) => d.id!).filter((id) => !handled.has(id))).size;
  }
  const sorted = [...failovers].sort((a, b) => a - b);
  console.log(
    JSON.stringify(
      {
        leaseTtlMs: LEASE_TTL_MS,
        failoverMs: failovers,
        medianFailoverMs: sorted[Math.floor(sorted.length / 2)],
        eventsSent: delivery.sent.length,
        eventsLost: lost,
        duplicatesDelivered: delivery.duplicates,
        identifiesDuringFailoverAndRebalance: identifiesDuringMoves,
        maxConcurrentConnectionsPerShard: maxConcurrent,
        identifyViolations: c.identifyViolations,
      },
      null,
      2,
    ),
  );
} finally {
  await cluster.stop();
}
