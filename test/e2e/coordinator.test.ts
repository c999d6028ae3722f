// Several shard hosts share the shards through the ShardCoordinator: leases, one identify queue, failover
// by resume after SIGKILL. Three host processes, the Worker under wrangler dev, the emulator.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../scripts/lib/proc.ts';
import { LEASE_TTL_MS, startCluster, sumOver, type Cluster } from './coordinator-system.ts';

const SHARDS = 8;

describe('coordinator: three hosts, one identify queue, failover by resume', () => {
  let cluster: Cluster;

  beforeAll(async () => {
    // Emulator window 1 s per bucket; the coordinator spaces identifies by its own 1.5 s window (+ margin),
    // so the emulator's violation counter checks the spacing across hosts.
    cluster = await startCluster(
      [
        '--shards',
        String(SHARDS),
        '--max-concurrency',
        '2',
        '--guilds',
        '24',
        '--rate',
        '15',
        '--identify-window-ms',
        '1000',
      ],
      { EDGESHARD_IDENTIFY_WINDOW_MS: '1500' },
    );
    for (const id of ['host-a', 'host-b', 'host-c']) cluster.startHost(id);
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  it('brings every shard READY across the hosts, each connected once, identifies spaced per bucket', async () => {
    const status = await cluster.allReady(SHARDS, 80_000);
    const owners = new Map<string, number>();
    for (const s of status.shards) owners.set(s.owner!, (owners.get(s.owner!) ?? 0) + 1);
    expect([...owners.keys()].sort()).toEqual(['host-a', 'host-b', 'host-c']);
    expect(Math.max(...owners.values()) - Math.min(...owners.values())).toBeLessThanOrEqual(1);
    const c = await cluster.counters();
    for (let s = 0; s < SHARDS; s++) expect(c.maxConcurrentConnections[String(s)], `shard ${s}`).toBe(1);
    expect(c.identifies).toBe(SHARDS);
    expect(c.identifyViolations).toBe(0);
    expect(status.identify.granted).toBe(SHARDS);
    expect(status.identify.sessionStartRemaining).toBe(status.identify.sessionStartTotal! - SHARDS);
  });

  it('moves the shards of a SIGKILLed host to the others within TTL + 2 s by resume, losing no event', async () => {
    const before = await cluster.counters();
    const status = await cluster.status();
    const victim = cluster.hosts.find((h) => h.id === 'host-b')!;
    const moved = status.shards.filter((s) => s.owner === victim.id).map((s) => s.shard);
    expect(moved.length).toBeGreaterThan(0);
    const killedAt = Date.now();
    victim.child.kill('SIGKILL');
    await waitFor(
      'the victim shards to be resumed elsewhere',
      async () => {
        const c = await cluster.counters();
        return moved.every((s) => (c.resumesByShard[String(s)] ?? 0) > (before.resumesByShard[String(s)] ?? 0))
          ? true
          : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 50 },
    );
    const failoverMs = Date.now() - killedAt;
    const after = await cluster.allReady(SHARDS, 30_000);
    expect(after.shards.filter((s) => moved.includes(s.shard)).every((s) => s.owner !== victim.id)).toBe(true);
    const c = await cluster.counters();
    expect(c.identifies - before.identifies).toBe(0); // resumed, not identified
    for (let s = 0; s < SHARDS; s++) expect(c.maxConcurrentConnections[String(s)], `shard ${s}`).toBe(1);
    const delivery = await cluster.everyMessageHandled();
    console.log(
      JSON.stringify({
        figure: 'failover',
        failoverMs,
        moved,
        identifiesDuringFailover: c.identifies - before.identifies,
        events: delivery.sent.length,
        duplicates: delivery.duplicates,
        resumes: sumOver(c.resumesByShard, moved) - sumOver(before.resumesByShard, moved),
      }),
    );
    expect(failoverMs).toBeLessThan(LEASE_TTL_MS + 2_000 + 1_500); // TTL + 2 s, plus polling and load slack
    // The new owner resumed from the coordinator's session; the platform replayed what the victim had not
    // had acknowledged, and the delivery ledger skipped what had already run: each message ran once.
    expect(delivery.duplicates).toBe(0);
    expect(delivery.handled).toBe(delivery.sent.length);
  });
});
