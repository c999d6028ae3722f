// Handoff and fencing across hosts: a fourth host joins and shards move to it by resume (no identify, no
// lost event); a host cut off from the coordinator stops its shards before their new owner connects.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../scripts/lib/proc.ts';
import { startCluster, type Cluster } from './coordinator-system.ts';
import { startRelay, type Relay } from './coordinator-proxy.ts';

const SHARDS = 8;

describe('coordinator: rebalance by handoff, fencing of a partitioned host', () => {
  let cluster: Cluster;
  let relay: Relay;

  beforeAll(async () => {
    cluster = await startCluster(
      [
        '--shards',
        String(SHARDS),
        '--max-concurrency',
        '4',
        '--guilds',
        '24',
        '--rate',
        '15',
        '--identify-window-ms',
        '1000',
      ],
      { EDGESHARD_IDENTIFY_WINDOW_MS: '1500' },
    );
    relay = await startRelay(cluster.worker.url);
    cluster.startHost('host-a');
    cluster.startHost('host-b');
    // host-c reaches the coordinator through a relay the test can cut; its events still go straight to the Worker.
    cluster.startHost('host-c', { EDGESHARD_COORDINATOR_URL: relay.url });
    await cluster.allReady(SHARDS, 80_000);
  });

  afterAll(async () => {
    await relay?.close();
    await cluster?.stop();
  });

  it('moves surplus shards to a joining host by handoff: resumed, no identify, no lost event', async () => {
    const before = await cluster.counters();
    cluster.startHost('host-d');
    const status = await waitFor(
      'host-d to take its share',
      async () => {
        const s = await cluster.status();
        const onD = s.shards.filter((sh) => sh.owner === 'host-d' && sh.state === 'ready').length;
        return onD === 2 && s.shards.every((sh) => sh.state === 'ready' && sh.phase === 'assigned') ? s : undefined;
      },
      { timeoutMs: 40_000, intervalMs: 200 },
    );
    const perHost = new Map<string, number>();
    for (const s of status.shards) perHost.set(s.owner!, (perHost.get(s.owner!) ?? 0) + 1);
    expect([...perHost.values()]).toEqual([2, 2, 2, 2]);
    const c = await cluster.counters();
    expect(c.identifies - before.identifies).toBe(0);
    expect(c.resumes - before.resumes).toBeGreaterThanOrEqual(2);
    for (let s = 0; s < SHARDS; s++) expect(c.maxConcurrentConnections[String(s)], `shard ${s}`).toBe(1);
    // 4900 keeps the session; 1000/1001 would have ended it.
    expect((c as unknown as { clientCloses: Record<string, number> }).clientCloses['1000'] ?? 0).toBe(0);
    const moved = status.shards.filter((s) => s.owner === 'host-d');
    expect(moved.every((s) => s.epoch >= 2)).toBe(true);
    await cluster.emu('/_emulator/traffic', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ rate: 15 }),
    });
  });

  it('a host cut off from the coordinator keeps its connections; its shards move after one TTL; every message runs once', async () => {
    const before = await cluster.status();
    const cut = before.shards.filter((s) => s.owner === 'host-c').map((s) => s.shard);
    expect(cut.length).toBeGreaterThan(0);
    const hostC = cluster.hosts.find((h) => h.id === 'host-c')!;
    const counters = await cluster.counters();
    relay.block();
    await waitFor(
      'host-c to see its lease unconfirmed',
      () => (hostC.lines.some((l) => l.includes('lease unconfirmed: keeping the connections')) ? true : undefined),
      { timeoutMs: 15_000 },
    );
    // host-c keeps its sockets (a partition must not cost sessions), but other hosts are heard: its lease
    // expires at the coordinator and the shards are resumed elsewhere at a higher epoch.
    await waitFor(
      'host-c shards resumed by other hosts',
      async () => {
        const s = await cluster.status();
        return cut.every((n) => {
          const row = s.shards.find((r) => r.shard === n)!;
          return row.owner !== 'host-c' && row.owner !== null && row.state === 'ready';
        })
          ? true
          : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    expect(hostC.child.exitCode).toBeNull();
    const c = await cluster.counters();
    // Shards host-c did not hold never had two connections. A moved shard's old connection stays open on
    // host-c but the gateway detached it at the resume: it receives nothing more.
    for (let s = 0; s < SHARDS; s++) {
      if (!cut.includes(s)) expect(c.maxConcurrentConnections[String(s)], `shard ${s}`).toBe(1);
    }
    expect(c.identifies - counters.identifies).toBe(0);
    // Whatever host-c still forwards is fenced by epoch at /events, and the ledger skips replays: each
    // MESSAGE_CREATE ran its handler exactly once.
    const delivery = await cluster.everyMessageHandled();
    expect(delivery.duplicates).toBe(0);
    expect(delivery.handled).toBe(delivery.sent.length);
    console.log(
      JSON.stringify({ figure: 'partition+rebalance', events: delivery.sent.length, duplicates: delivery.duplicates }),
    );
  });
});
