// A handler that always throws on one message cannot stall its shard: real emulator, Worker and shard host.
// The later `!ping`s on that shard are answered once each within 30 s, the poison event is dead-lettered
// after EDGESHARD_MAX_ATTEMPTS handler failures and listed by `shard-host dead-letters`, and after the
// handler is fixed `shard-host dead-letters --replay` runs it exactly once.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { APIMessage } from 'discord-api-types/v10';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor, type Managed } from '../../scripts/lib/proc.ts';
import { ROOT } from '../../scripts/lib/stack.ts';
import { startSystem, type System } from './system.ts';

const run = promisify(execFile);

interface World {
  guilds: { id: string; channels: { id: string }[] }[];
}

/** Discord docs, Topics > Gateway > Sharding: shard_id = (guild_id >> 22) % num_shards. */
const shardOf = (guildId: string, count: number) => Number((BigInt(guildId) >> 22n) % BigInt(count));

interface Listed {
  deadLetters: { id: string; shard: number; reason: string; event: { data: { content?: string } } }[];
}

describe('a poison event cannot stall its shard', () => {
  let system: System;
  let host: Managed;

  beforeAll(async () => {
    system = await startSystem(['--shards', '2', '--guilds', '6', '--rate', '0', '--identify-window-ms', '1000']);
    host = system.startHost();
    await waitFor(
      'both shards to be READY',
      () => (host.lines.some((l) => l.includes('all shards ready')) ? true : undefined),
      { proc: host, timeoutMs: 30_000 },
    );
  });

  afterAll(async () => {
    await system?.stop();
  });

  const say = (channel_id: string, content: string) =>
    system.emu<APIMessage>('/_emulator/say', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ channel_id, content }),
    });

  const deadLetters = async (...args: string[]) => {
    const env = {
      ...process.env,
      EDGESHARD_DEAD_LETTER_FILE: join(system.dir, 'spool-0', 'dead-letter.jsonl'),
      EDGESHARD_WORKER_URL: system.worker.url,
      EDGESHARD_SECRET: system.secret,
    };
    const { stdout } = await run(process.execPath, [`${ROOT}shard-host/bin.mjs`, 'dead-letters', '--json', ...args], {
      env,
      cwd: system.dir,
    });
    return JSON.parse(stdout) as unknown;
  };

  it('answers every later !ping once within 30 s, dead-letters the poison event, and replays it once fixed', async () => {
    const world = await system.emu<World>('/_emulator/world');
    const channel = world.guilds.find((g) => shardOf(g.id, 2) === 0)!.channels[0]!.id;

    const started = Date.now();
    const poison = await say(channel, '!poison');
    const pings: APIMessage[] = [];
    for (let i = 0; i < 6; i++) {
      pings.push(await say(channel, '!ping'));
      await new Promise((r) => setTimeout(r, 1_000)); // later pings queue behind the retried poison event
    }
    const pongsFor = async () =>
      (await system.emu<APIMessage[]>('/_emulator/messages')).filter(
        (m) => m.content === 'pong' && pings.some((p) => p.id === m.message_reference?.message_id),
      );
    await waitFor(
      'a pong for every !ping',
      async () => ((await pongsFor()).length >= pings.length ? true : undefined),
      {
        proc: host,
        timeoutMs: 30_000 - (Date.now() - started),
      },
    );
    const waited = Date.now() - started;
    expect(waited < 30_000).toBe(true);

    await waitFor(
      'the poison event to be dead-lettered',
      () => (host.lines.some((l) => l.includes('event dead-lettered')) ? true : undefined),
      { proc: host, timeoutMs: 30_000 },
    );
    await new Promise((r) => setTimeout(r, 1_000)); // a duplicate pong would have time to show
    const pongs = await pongsFor();
    expect(pongs.map((m) => m.message_reference?.message_id).sort()).toEqual(pings.map((p) => p.id).sort());

    const listed = (await deadLetters()) as Listed;
    expect(listed.deadLetters.map((d) => [d.shard, d.event.data.content])).toEqual([[0, '!poison']]);
    expect(listed.deadLetters[0]!.reason).toMatch(
      /^handler failed on all 5 attempts \(EDGESHARD_MAX_ATTEMPTS\): .*PoisonError/,
    );
    const poisonId = listed.deadLetters[0]!.id;

    // Fix the handler, then replay: it runs once, and the event leaves the list.
    system.ledger.flags.set('poison', 'healed');
    const report = (await deadLetters('--replay')) as { replayed: string[]; failed: unknown[]; notSent: unknown[] };
    expect(report).toEqual({ replayed: [poisonId], failed: [], notSent: [] });
    expect(system.ledger.entries.filter((e) => e.messageId === `poison:${poison.id}`)).toHaveLength(1);
    expect(((await deadLetters()) as Listed).deadLetters).toEqual([]);
    console.log(`poison e2e: every !ping answered ${waited} ms after the poison message`);
  });
});
