// Connections die mid-stream (drop, op 7, op 9 resumable, zombie): each time the shard resumes, the gateway
// replays what was missed, and every event id reaches the Worker exactly once. No identify is spent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Managed } from '../../scripts/lib/proc.ts';
import { counters, duplicates, everyMessageHandled, hostReady, post, sleep, waitCounters } from './gateway-helpers.ts';
import { startSystem, type System } from './system.ts';

describe('gateway: resume mid-stream, exactly once at the Worker', () => {
  let system: System;
  let host: Managed;

  beforeAll(async () => {
    // Heartbeats every second, so the zombie case takes seconds, not minutes.
    system = await startSystem([
      '--shards',
      '2',
      '--guilds',
      '6',
      '--rate',
      '40',
      '--identify-window-ms',
      '1000',
      '--heartbeat-interval-ms',
      '1000',
    ]);
    host = system.startHost();
    await hostReady(host);
  });

  afterAll(async () => {
    await system?.stop();
  });

  it('drop, op 7, op 9 (resumable) and a zombie connection: resumed each time, every event exactly once', async () => {
    let resumes = 0;
    const step = async (what: string, action: () => Promise<unknown>) => {
      await sleep(400); // traffic keeps flowing between the steps
      await action();
      resumes += 2;
      await waitCounters(system, `both shards to resume after ${what}`, (c) => c.resumes >= resumes);
    };
    await step('a dropped connection', () => Promise.all([0, 1].map((s) => post(system, `/shards/${s}/drop`))));
    await step('op 7 Reconnect', () => Promise.all([0, 1].map((s) => post(system, `/shards/${s}/reconnect`))));
    await step('op 9 Invalid Session (resumable)', () =>
      Promise.all([0, 1].map((s) => post(system, `/shards/${s}/invalid-session`, { resumable: true }))),
    );
    await step('heartbeat ACKs stopping (zombie)', async () => {
      // A zombie is a connection where nothing arrives: stop the traffic too, or dispatches prove it alive.
      await post(system, '/traffic', { rate: 0 });
      await Promise.all([0, 1].map((s) => post(system, `/shards/${s}/heartbeat-acks`, { enabled: false })));
    });
    await post(system, '/traffic', { rate: 0 });

    const { sent, handled } = await everyMessageHandled(system);
    await sleep(1_000); // time for a duplicate to show
    const c = await counters(system);
    expect(c.identifies).toBe(2); // one per shard, at start
    expect(c.resumes).toBeGreaterThanOrEqual(8);
    expect(c.clientCloses[1000] ?? 0).toBe(0); // never closed in a way that ends the session
    expect(sent.length).toBeGreaterThan(50);
    expect(duplicates(handled)).toEqual({ ids: [], extra: 0 });
    const eventIds = system.ledger.entries.map((e) => e.eventId);
    expect(new Set(eventIds).size).toBe(eventIds.length);
    expect(host.child.exitCode).toBeNull();
  });

  it('the host reports it on /metrics: resumes, reconnects, events per shard', async () => {
    const url = host.lines.map((l) => /"url":"(http:\/\/127\.0\.0\.1:\d+\/metrics)"/.exec(l)?.[1]).find(Boolean);
    expect(url).toBeDefined();
    const text = await (await fetch(url!)).text();
    for (const shard of [0, 1]) {
      expect(
        Number(new RegExp(`edgeshard_gateway_resumes_total\\{[^}]*shard="${shard}"[^}]*\\} (\\d+)`).exec(text)?.[1]),
      ).toBeGreaterThanOrEqual(4);
      expect(
        Number(new RegExp(`edgeshard_gateway_identifies_total\\{[^}]*shard="${shard}"[^}]*\\} (\\d+)`).exec(text)?.[1]),
      ).toBe(1);
      expect(text).toMatch(new RegExp(`edgeshard_shard_state\\{[^}]*shard="${shard}"[^}]*state="ready"[^}]*\\} 1`));
    }
  });
});
