// The shard host restarts mid-stream: it resumes from the session the coordinator kept (no new identify)
// and the platform replays what the Worker had not acknowledged; the delivery ledger skips what already
// ran. SIGTERM and SIGKILL alike: nothing lost, every event exactly once.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { counters, duplicates, everyMessageHandled, hostReady, post, sleep } from './gateway-helpers.ts';
import { startSystem, type System } from './system.ts';

describe('gateway: restart the shard host mid-stream', () => {
  let system: System;
  let env: Record<string, string>;

  beforeAll(async () => {
    system = await startSystem(['--shards', '2', '--guilds', '6', '--rate', '40', '--identify-window-ms', '1000']);
    // The same host name and spool directory across restarts, as a service on a real host has.
    env = { EDGESHARD_SPOOL_DIR: join(system.dir, 'spool'), EDGESHARD_HOST_ID: 'restarting-host' };
  });

  afterAll(async () => {
    await system?.stop();
  });

  it('SIGTERM → restart resumes the sessions the coordinator kept, no identify; every event exactly once', async () => {
    const first = system.startHost(env);
    await hostReady(first);
    await sleep(1_000);
    expect(await first.stop('SIGTERM')).toBe(0);
    await sleep(1_000); // the gateway keeps assigning events to the detached sessions
    const second = system.startHost(env);
    await hostReady(second);
    expect(
      second.lines.filter((l) => l.includes('"msg":"shard assigned"') && l.includes('"resume":true')),
    ).toHaveLength(2);
    await sleep(1_000);
    await post(system, '/traffic', { rate: 0 });

    const { handled } = await everyMessageHandled(system);
    await sleep(1_000);
    const c = await counters(system);
    expect(c.identifies).toBe(2);
    expect(c.identifiesByShard).toEqual({ 0: 1, 1: 1 });
    expect(c.resumesByShard).toEqual({ 0: 1, 1: 1 });
    expect(duplicates(handled)).toEqual({ ids: [], extra: 0 });
    expect(Math.max(...Object.values(c.maxConcurrentConnections))).toBe(1);
    await second.stop('SIGTERM');
  });

  it('SIGKILL → restart still resumes (no identify) and loses nothing', async () => {
    const before = await counters(system);
    const third = system.startHost(env);
    await hostReady(third);
    await post(system, '/traffic', { rate: 40 });
    await sleep(1_500);
    expect(await third.stop('SIGKILL')).toBe(128);
    await sleep(1_000);
    const fourth = system.startHost(env);
    await hostReady(fourth);
    await sleep(1_000);
    await post(system, '/traffic', { rate: 0 });

    const { sent, handled } = await everyMessageHandled(system);
    const c = await counters(system);
    expect(c.identifies).toBe(before.identifies); // still the two identifies of the very first start
    expect(c.resumes).toBe(before.resumes + 4);
    // Replays of what the killed host had handled are skipped by the delivery ledger.
    expect(duplicates(handled)).toEqual({ ids: [], extra: 0 });
    expect(sent.every((id) => handled.has(id))).toBe(true);
    await fourth.stop('SIGTERM');
  });
});
