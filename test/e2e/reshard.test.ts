// Resharding without downtime, with real processes: the emulator, the Worker under wrangler dev, two shard
// hosts, and the operator's `shard-host reshard` command. 2 → 4 shards with `!ping`s flowing: every ping
// answered exactly once through the switch, never two live connections for one (shard, count), the old
// generation closed for good after the switch; and a reshard refused for lack of identify budget.
import { spawn } from 'node:child_process';
import type { APIMessage } from 'discord-api-types/v10';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../scripts/lib/proc.ts';
import { ROOT } from '../../scripts/lib/stack.ts';
import { startCluster, type Cluster, type Counters } from './coordinator-system.ts';

interface World {
  guilds: { id: string; channels: { id: string }[] }[];
}

interface ReshardCounters extends Counters {
  openConnectionsByGeneration: Record<string, number>;
  maxConcurrentConnectionsByGeneration: Record<string, number>;
  clientCloses: Record<string, number>;
  sessionStartRemaining: number;
}

/** Discord docs, Topics > Gateway > Sharding: shard_id = (guild_id >> 22) % num_shards. */
const shardOf = (guildId: string, count: number) => Number((BigInt(guildId) >> 22n) % BigInt(count));

/** `npx shard-host reshard …` as an operator runs it; resolves with its exit code and output. */
function runReshard(cluster: Cluster, ...args: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [`${ROOT}shard-host/bin.mjs`, 'reshard', ...args, '--poll-ms', '250'], {
      env: {
        PATH: process.env.PATH ?? '',
        EDGESHARD_WORKER_URL: cluster.worker.url,
        EDGESHARD_SECRET: cluster.secret,
        DISCORD_TOKEN: cluster.emulator.token,
        DISCORD_API_URL: cluster.emulator.apiUrl,
      },
      cwd: ROOT,
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) => resolve({ code: code ?? -1, out, err }));
  });
}

describe('resharding without downtime', () => {
  let cluster: Cluster;
  /** One channel per shard of the new count (so every old and new shard carries pings). */
  let channels: string[];

  const say = (channel_id: string, content: string) =>
    cluster.emu<APIMessage>('/_emulator/say', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ channel_id, content }),
    });

  const reshard = (...args: string[]) => runReshard(cluster, ...args);

  beforeAll(async () => {
    cluster = await startCluster(
      [
        '--shards',
        '2',
        '--guilds',
        '8',
        '--max-concurrency',
        '2',
        '--identify-window-ms',
        '500',
        // 2 identifies at start leave 5: a reshard to 8 is refused, one to 4 fits.
        '--session-start-total',
        '7',
      ],
      { EDGESHARD_IDENTIFY_WINDOW_MS: '600', EDGESHARD_RESHARD_AT: 'off' },
    );
    for (const id of ['host-a', 'host-b']) cluster.startHost(id);
    await cluster.allReady(2, 80_000);
    // Both hosts serve (the second took one shard by handoff), so the new generation has room on each.
    await waitFor(
      'one old shard on each host',
      async () => ((await cluster.status()).hosts.every((h) => h.shards === 1) ? true : undefined),
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    const world = await cluster.emu<World>('/_emulator/world');
    channels = [0, 1, 2, 3].map((s) => world.guilds.find((g) => shardOf(g.id, 4) === s)!.channels[0]!.id);
  }, 120_000);

  afterAll(async () => {
    await cluster?.stop();
  });

  it('--shards auto asks Discord (GET /gateway/bot): the emulator recommends the count that runs, so nothing to do', async () => {
    const { code, out, err } = await reshard('--shards', 'auto');
    expect([code, out.trim()]).toEqual([1, 'Discord recommends 2 shards; max_concurrency 2: resharding to 2']);
    expect(err.trim()).toBe('409: reshard to 2 shards refused: the bot already runs 2 shards');
  });

  it('refuses a reshard the identify budget cannot cover, and says when it can', async () => {
    const { code, out, err } = await reshard('--shards', '8');
    expect([code, out]).toEqual([1, '']);
    expect(err.trim()).toMatch(
      /^409: reshard to 8 shards refused: session_start_limit\.remaining is 5, the new generation needs 8 identifies: retry after \d{4}-\d\d-\d\dT[\d:.]+Z \(in \d+ min\)$/,
    );
    expect((await cluster.status()).reshard.kind).toBe('idle');
  });

  it('2 → 4 across two hosts with traffic: each !ping answered once, one connection per (shard, count), the old generation gone', async () => {
    const before = (await cluster.counters()) as ReshardCounters;
    let pinging = true;
    const sent: APIMessage[] = [];
    const traffic = (async () => {
      while (pinging) {
        sent.push(...(await Promise.all(channels.map((c) => say(c, '!ping')))));
        // A round a second or so: the emulator lets a channel take 5 messages per 5 s, the pongs included.
        await new Promise((r) => setTimeout(r, 1_100));
      }
    })();
    await new Promise((r) => setTimeout(r, 1_000));
    const run = await reshard('--shards', '4');
    expect(run.err).toBe('');
    expect(run.code).toBe(0);
    const lines = run.out.trim().split('\n');
    expect(lines[0]).toMatch(
      /^identifying 2 → 4: [0-3]\/4 new shards READY with their guilds \(manual: npx shard-host reshard\)$/,
    );
    expect(lines.at(-1)).toBe('switched 2 → 4: the 4 new shards serve, the 2 old ones are closing');
    await new Promise((r) => setTimeout(r, 3_000)); // pings after the switch, on the new generation only
    pinging = false;
    await traffic;

    // Every ping answered exactly once.
    const ids = new Set(sent.map((p) => p.id));
    const replies = async () =>
      (await cluster.emu<APIMessage[]>('/_emulator/messages')).filter(
        (m) => m.content === 'pong' && ids.has(m.message_reference?.message_id ?? ''),
      );
    try {
      await waitFor(
        `a pong to each of ${ids.size} pings`,
        async () => {
          const got = new Set((await replies()).map((m) => m.message_reference!.message_id));
          return got.size === ids.size ? true : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 250 },
      );
    } catch (err) {
      const got = new Set((await replies()).map((m) => m.message_reference!.message_id));
      const missing = sent.filter((p) => !got.has(p.id)).map((p) => `${p.id} ch${channels.indexOf(p.channel_id)}`);
      const { writeFileSync } = await import('node:fs');
      writeFileSync(
        '/tmp/reshard-debug.log',
        [
          `missing ${missing.join(' ')}`,
          ...cluster.hosts.flatMap((h) => h.lines.map((l) => `[${h.id}] ${l}`)),
          ...cluster.worker.lines.map((l) => `[worker] ${l}`),
        ].join('\n'),
      );
      throw err;
    }
    await new Promise((r) => setTimeout(r, 2_000)); // time for a second answer to show, if there were one
    expect((await replies()).length).toBe(ids.size);

    const status = await cluster.allReady(4, 30_000);
    expect([status.shardCount, status.reshard.kind, status.reshard.from, status.reshard.to]).toEqual([
      4,
      'switching',
      2,
      4,
    ]);
    const c = (await waitFor(
      'the old generation closed',
      async () => {
        const now = (await cluster.counters()) as ReshardCounters;
        return now.openConnectionsByGeneration['0/2'] === 0 && now.openConnectionsByGeneration['1/2'] === 0
          ? now
          : undefined;
      },
      { timeoutMs: 15_000, intervalMs: 200 },
    )) as ReshardCounters;
    expect(c.maxConcurrentConnectionsByGeneration).toEqual({
      '0/2': 1,
      '1/2': 1,
      '0/4': 1,
      '1/4': 1,
      '2/4': 1,
      '3/4': 1,
    });
    expect(c.openConnectionsByGeneration).toEqual({ '0/2': 0, '1/2': 0, '0/4': 1, '1/4': 1, '2/4': 1, '3/4': 1 });
    // Closed for good (1000 ends the session), each once; the new generation identified once per shard.
    expect((c.clientCloses['1000'] ?? 0) - (before.clientCloses['1000'] ?? 0)).toBe(2);
    expect(c.identifies - before.identifies).toBe(4);
    expect(c.identifyViolations).toBe(0);
    // No host runs one shard id of two generations: each runs two of the new ones.
    expect(status.hosts.map((h) => [h.id, h.shards])).toEqual([
      ['host-a', 2],
      ['host-b', 2],
    ]);
  }, 120_000);
});

describe('resharding by itself, and a host lost in the middle', () => {
  let cluster: Cluster;

  beforeAll(async () => {
    cluster = await startCluster(
      ['--shards', '2', '--guilds', '8', '--max-concurrency', '2', '--identify-window-ms', '500'],
      // 0.002 of 2 shards × 2500 is 10 guilds: two more than the world has.
      { EDGESHARD_IDENTIFY_WINDOW_MS: '600', EDGESHARD_RESHARD_AT: '0.002' },
    );
    for (const id of ['host-a', 'host-b', 'host-c']) cluster.startHost(id);
    await cluster.allReady(2, 80_000);
  }, 120_000);

  afterAll(async () => {
    await cluster?.stop();
  });

  async function pingsAnsweredOnce(count: number, rounds: number): Promise<void> {
    const world = await cluster.emu<World>('/_emulator/world');
    const channels = Array.from(
      { length: count },
      (_, s) => world.guilds.find((g) => shardOf(g.id, count) === s)!.channels[0]!.id,
    );
    const sent: APIMessage[] = [];
    for (let i = 0; i < rounds; i++) {
      for (const channel_id of channels)
        sent.push(
          await cluster.emu<APIMessage>('/_emulator/say', {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ channel_id, content: '!ping' }),
          }),
        );
      await new Promise((r) => setTimeout(r, 1_100));
    }
    const ids = new Set(sent.map((p) => p.id));
    const replies = async () =>
      (await cluster.emu<APIMessage[]>('/_emulator/messages')).filter(
        (m) => m.content === 'pong' && ids.has(m.message_reference?.message_id ?? ''),
      );
    await waitFor(
      `a pong to each of ${ids.size} pings`,
      async () => ((await replies()).length >= ids.size ? true : undefined),
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    await new Promise((r) => setTimeout(r, 2_000));
    const got = await replies();
    expect(got.length).toBe(ids.size);
    expect(new Set(got.map((m) => m.message_reference!.message_id)).size).toBe(ids.size);
  }

  it('adding guilds past EDGESHARD_RESHARD_AT starts a reshard by itself, saying why', async () => {
    await cluster.emu('/_emulator/guilds', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ count: 2 }),
    });
    // 10 guilds (one more on each shard): enough shards for them at half the threshold's load (2.5 each),
    // rounded to max_concurrency 2.
    const status = await waitFor(
      'the automatic reshard to switch',
      async () => {
        const s = await cluster.status();
        return s.reshard.to === 4 && (s.reshard.kind === 'switching' || s.reshard.kind === 'done') ? s : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    expect([status.reshard.from, status.reshard.reason]).toEqual([
      2,
      'automatic: 10 guilds reached EDGESHARD_RESHARD_AT 0.002 of 2 shards × 2500',
    ]);
    await cluster.allReady(4, 30_000);
    await pingsAnsweredOnce(4, 2);
  }, 120_000);

  it('a host SIGKILLed while the new generation identifies: the reshard completes or rolls back, every !ping answered once', async () => {
    const world = await cluster.emu<World>('/_emulator/world');
    const from = (await cluster.status()).shardCount!;
    const channels = Array.from(
      { length: from },
      (_, s) => world.guilds.find((g) => shardOf(g.id, from) === s)!.channels[0]!.id,
    );
    let pinging = true;
    const sent: APIMessage[] = [];
    const traffic = (async () => {
      while (pinging) {
        for (const channel_id of channels)
          sent.push(
            await cluster.emu<APIMessage>('/_emulator/say', {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify({ channel_id, content: '!ping' }),
            }),
          );
        await new Promise((r) => setTimeout(r, 1_100));
      }
    })();
    // The last reshard's switch window (60 s) ends first: one reshard at a time.
    await waitFor(
      'the previous reshard to be done',
      async () => ((await cluster.status()).reshard.kind === 'done' ? true : undefined),
      { timeoutMs: 90_000, intervalMs: 500 },
    );
    const body = JSON.stringify({ shards: 10 });
    const { signedHeaders } = await import('../../protocol/index.ts');
    const res = await fetch(`${cluster.worker.url}/coordinator/reshard`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await signedHeaders(cluster.secret, body)) },
      body,
    });
    expect(res.status).toBe(200);
    await new Promise((r) => setTimeout(r, 300));
    const victim = cluster.hosts.find((h) => h.id === 'host-c')!;
    victim.child.kill('SIGKILL');
    const end = await waitFor(
      'the reshard to switch or roll back',
      async () => {
        const s = await cluster.status();
        return s.reshard.to === 10 && ['switching', 'done', 'rolled-back'].includes(s.reshard.kind) ? s : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 250 },
    );
    const count = end.reshard.kind === 'rolled-back' ? from : 10;
    await cluster.allReady(count, 60_000);
    await new Promise((r) => setTimeout(r, 2_000));
    pinging = false;
    await traffic;
    const ids = new Set(sent.map((p) => p.id));
    const replies = async () =>
      (await cluster.emu<APIMessage[]>('/_emulator/messages')).filter(
        (m) => m.content === 'pong' && ids.has(m.message_reference?.message_id ?? ''),
      );
    await waitFor(
      `a pong to each of ${ids.size} pings`,
      async () => ((await replies()).length >= ids.size ? true : undefined),
      { timeoutMs: 90_000, intervalMs: 250 },
    );
    await new Promise((r) => setTimeout(r, 2_000));
    const got = await replies();
    expect(got.length).toBe(ids.size);
    expect(new Set(got.map((m) => m.message_reference!.message_id)).size).toBe(ids.size);
    const c = (await cluster.counters()) as ReshardCounters;
    expect(Object.values(c.maxConcurrentConnectionsByGeneration).every((n) => n === 1)).toBe(true);
    console.log(`host lost mid-reshard: ${end.reshard.kind}${end.reshard.why ? ` (${end.reshard.why})` : ''}`);
  }, 300_000);
});

// Timing-sensitive (the cancel must land before a fast switch): it failed 1 of 3 full CI runs, so it runs
// on demand with `npm run test:e2e:reshard-races` until the race is taken out of it.
describe.runIf(process.env.EDGESHARD_RESHARD_RACES === '1')('a reshard cancelled, and one started by a 4011', () => {
  let cluster: Cluster;

  beforeAll(async () => {
    cluster = await startCluster(
      [
        '--shards',
        '2',
        '--guilds',
        '8',
        '--max-concurrency',
        '2',
        '--identify-window-ms',
        '500',
        '--guilds-per-shard-limit',
        '4',
      ],
      // The default threshold (0.8 of shards × 2500) is far away: only the 4011 can start this reshard.
      { EDGESHARD_IDENTIFY_WINDOW_MS: '600' },
    );
    for (const id of ['host-a', 'host-b']) cluster.startHost(id);
    await cluster.allReady(2, 80_000);
  }, 120_000);

  afterAll(async () => {
    await cluster?.stop();
  });

  it('a reshard cancelled before the switch: the new shards close for good, the old ones never stopped serving', async () => {
    const before = (await cluster.counters()) as ReshardCounters;
    const started = await runReshard(cluster, '--shards', '6', '--no-wait');
    expect([started.code, started.err]).toEqual([0, '']);
    expect(started.out).toMatch(/^identifying 2 → 6: 0\/6 new shards READY with their guilds/);
    await new Promise((r) => setTimeout(r, 300)); // some new shards connect, before the switch
    const cancelled = await runReshard(cluster, '--cancel');
    expect([cancelled.code, cancelled.out.trim()]).toEqual([0, 'rolled back 2 → 6: cancelled by the operator']);
    const c = (await waitFor(
      'the new generation closed',
      async () => {
        const now = (await cluster.counters()) as ReshardCounters;
        const open = Object.entries(now.openConnectionsByGeneration).filter(([k, n]) => k.endsWith('/6') && n > 0);
        return open.length === 0 ? now : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 200 },
    )) as ReshardCounters;
    // The old generation kept its connections throughout: no new identify or resume for them.
    expect([c.openConnectionsByGeneration['0/2'], c.openConnectionsByGeneration['1/2']]).toEqual([1, 1]);
    expect(c.resumes - before.resumes).toBe(0);
    const status = await cluster.allReady(2, 10_000);
    expect([status.shardCount, status.reshard.kind, status.nextShards]).toEqual([2, 'rolled-back', []]);
  }, 60_000);

  it('a guild joins a full shard: 4011, the host reports it, the coordinator reshards to 4 and every shard serves', async () => {
    await cluster.emu('/_emulator/guilds', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ count: 1 }),
    });
    const status = await waitFor(
      'the reshard after 4011 to switch',
      async () => {
        const s = await cluster.status();
        return s.reshard.to === 4 && (s.reshard.kind === 'switching' || s.reshard.kind === 'done') ? s : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    expect([status.reshard.from, status.reshard.reason]).toEqual([
      2,
      'automatic: shard 0 was closed with 4011 (sharding required)',
    ]);
    await cluster.allReady(4, 30_000);
    const c = (await cluster.counters()) as ReshardCounters & { closesByCode: Record<string, number> };
    expect(c.closesByCode['4011']).toBe(1);
    expect(Object.values(c.maxConcurrentConnectionsByGeneration).every((n) => n === 1)).toBe(true);
  }, 120_000);
});
