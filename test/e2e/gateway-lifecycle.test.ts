// Cold start and failure: identify spacing across max_concurrency buckets (no violation at the gateway),
// a fatal close code stops one shard with the error that names the fix while the host keeps serving the
// others, and the host exits non-zero once no shard is left.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor, type Managed } from '../../scripts/lib/proc.ts';
import { counters, hostReady, post, waitCounters } from './gateway-helpers.ts';
import { startSystem, type System } from './system.ts';

interface World {
  guilds: { id: string; channels: { id: string }[] }[];
}

const shardOf = (guildId: string, count: number) => Number((BigInt(guildId) >> 22n) % BigInt(count));

describe('gateway: identify spacing and fatal close codes', () => {
  let system: System;
  let host: Managed;
  let startedAt: number;

  beforeAll(async () => {
    // Discord's real 5 s identify window, 4 shards in 2 buckets.
    system = await startSystem(['--shards', '4', '--max-concurrency', '2', '--guilds', '8']);
    startedAt = Date.now();
    host = system.startHost();
    await hostReady(host);
  });

  afterAll(async () => {
    await system?.stop();
  });

  it('4 shards at max_concurrency 2: the buckets start in parallel, one identify per bucket per 5 s', async () => {
    const c = await counters(system);
    expect(c.identifyViolations).toBe(0);
    expect(c.identifiesByBucket).toEqual({ 0: 2, 1: 2 });
    expect(c.minIdentifyGapMs).toBeGreaterThanOrEqual(5_000);
    // Floor (4/2 − 1) × 5 s; one bucket after the other would take 3 × 5 s.
    expect(Date.now() - startedAt).toBeLessThan(15_000);
  });

  it('4004 stops one shard with the fix in the error; the host keeps serving the others', async () => {
    await post(system, '/shards/0/close', { code: 4004 });
    await waitFor(
      'the fatal error',
      () => (host.lines.some((l) => l.includes('4004') && l.includes('DISCORD_TOKEN')) ? true : undefined),
      { proc: host, timeoutMs: 15_000 },
    );
    // A message on another shard still reaches the Worker.
    const world = await system.emu<World>('/_emulator/world');
    const guild = world.guilds.find((g) => shardOf(g.id, 4) === 1)!;
    const said = await system.emu<{ id: string }>('/_emulator/say', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ channel_id: guild.channels[0]!.id, content: 'still here' }),
    });
    await waitFor(
      'the message on shard 1 to be handled',
      () => (system.ledger.entries.some((e) => e.messageId === said.id) ? true : undefined),
      { proc: host, timeoutMs: 20_000 },
    );
    expect(host.child.exitCode).toBeNull();
    const c = await counters(system);
    expect(c.identifies).toBe(4); // the fatal shard did not try again
  });

  it('a fatal code on every remaining shard: clear errors, and the host exits non-zero', async () => {
    await post(system, '/shards/1/close', { code: 4014 });
    await post(system, '/shards/2/close', { code: 4013 });
    expect(host.child.exitCode).toBeNull();
    await post(system, '/shards/3/close', { code: 4010 });
    const code = await host.exited;
    expect(code).toBe(1);
    const errors = host.lines.filter((l) => l.includes('"level":"error"'));
    expect(errors.some((l) => l.includes('4014') && l.includes('Privileged Gateway Intents'))).toBe(true);
    expect(errors.some((l) => l.includes('4013') && l.includes('EDGESHARD_INTENTS'))).toBe(true);
    expect(host.lines.some((l) => l.includes('no shard left to serve'))).toBe(true);
    await waitCounters(system, 'no identify retried', (c) => c.identifies === 4);
  });
});
