// `shard-host dead-letters` against the stand-in Worker over real HTTP: listing, --json, --replay (an
// acknowledged event leaves the list, a still-failing one stays with the new reason), and a host
// appending to the dead-letter file while the command runs.
import { execFile } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import type { EventBatch, EventEnvelope } from '../../../protocol/index.ts';
import { deadLettersCommand } from '../../../shard-host/cli/dead-letters.ts';
import { DeadLetterFile } from '../../../shard-host/spool/dead-letter.ts';
import { DeadLetterList, replayMarkPath } from '../../../shard-host/spool/dead-letter-list.ts';
import { SECRET, workerServer } from './worker-server.ts';
import { envelope } from './forwarder-fakes.ts';

const run = promisify(execFile);

const event = (shard: number, seq: number, content = 'hi'): EventEnvelope =>
  envelope(shard, seq, 1_000 + seq, { content });

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function deadLetterFile() {
  const dir = mkdtempSync(join(tmpdir(), 'edgeshard-dl-'));
  const path = join(dir, 'dead-letter.jsonl');
  const file = new DeadLetterFile(path);
  cleanups.push(() => file.close());
  return { dir, path, file };
}

async function cli(argv: string[], env: Record<string, string>) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await deadLettersCommand(argv, env, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

interface Listed {
  files: string[];
  deadLetters: { id: string; type: string; shard: number; at: string; reason: string; failedReplays: number }[];
}

describe('shard-host dead-letters', () => {
  it('lists the dead letters with id, type, shard, when and reason, as a table and as JSON', async () => {
    const { path, file } = deadLetterFile();
    file.write(event(0, 1), 'handler failed on all 5 attempts (EDGESHARD_MAX_ATTEMPTS): Error', Date.UTC(2026, 0, 1));
    file.write(event(3, 7), 'Worker answered 400: {"error":{"code":"malformed_batch"}}', Date.UTC(2026, 0, 2));
    const { dir } = deadLetterFile();
    const env = { EDGESHARD_DEAD_LETTER_FILE: path, EDGESHARD_SPOOL_DIR: dir };

    const table = await cli([], env);
    expect(table.code).toBe(0);
    expect(table.out.split('\n')).toEqual([
      `2 dead letters in ${path}`,
      'ID             TYPE            SHARD  WHEN                      REASON',
      'discord:0:s:1  MESSAGE_CREATE  0      2026-01-01T00:00:00.000Z  handler failed on all 5 attempts (EDGESHARD_MAX_ATTEMPTS): Error',
      'discord:3:s:7  MESSAGE_CREATE  3      2026-01-02T00:00:00.000Z  Worker answered 400: {"error":{"code":"malformed_batch"}}',
    ]);

    const json = JSON.parse((await cli(['--json'], env)).out) as Listed;
    expect(json.files).toEqual([path, join(dir, 'qq', 'dead-letter.jsonl')]);
    expect(json.deadLetters.map((d) => [d.id, d.type, d.shard, d.at, d.failedReplays])).toEqual([
      ['discord:0:s:1', 'MESSAGE_CREATE', 0, '2026-01-01T00:00:00.000Z', 0],
      ['discord:3:s:7', 'MESSAGE_CREATE', 3, '2026-01-02T00:00:00.000Z', 0],
    ]);
  });

  it('replays: acknowledged events leave the list, still-failing ones stay with the new reason', async () => {
    const { path, file } = deadLetterFile();
    file.write(event(0, 1, 'fixed'), 'handler failed on all 5 attempts: TypeError');
    file.write(event(0, 2, '!poison'), 'handler failed on all 5 attempts: TypeError');
    file.write(event(1, 5, 'fixed'), 'Worker answered 400: x');
    const server = await workerServer(() => ({
      status: 200,
      outcome: (e) =>
        (e.data as { content: string }).content === '!poison'
          ? { outcome: 'retry', error: 'handler_failed: still broken' }
          : 'ack',
    }));
    cleanups.push(server.close);
    const env = {
      EDGESHARD_DEAD_LETTER_FILE: path,
      EDGESHARD_SPOOL_DIR: dirname(path),
      EDGESHARD_WORKER_URL: server.url,
      EDGESHARD_SECRET: SECRET,
    };

    const replay = await cli(['--replay'], env);
    expect(replay.code).toBe(1);
    expect(replay.out.split('\n')).toEqual([
      'replayed       discord:0:s:1',
      'replayed       discord:1:s:5',
      'still failing  discord:0:s:2: handler_failed: still broken',
      '2 replayed, 1 still failing, 0 not sent',
    ]);
    // One signed replay batch carrying both shards (batch version 2), outside the epoch fence (epochs 0).
    expect(server.batches.map((b: EventBatch) => [b.replay, b.epochs, b.events.map((e) => e.id)])).toEqual([
      [true, { 0: 0, 1: 0 }, ['discord:0:s:1', 'discord:0:s:2', 'discord:1:s:5']],
    ]);

    const listed = JSON.parse((await cli(['--json'], env)).out) as Listed;
    expect(listed.deadLetters.map((d) => [d.id, d.reason, d.failedReplays])).toEqual([
      ['discord:0:s:2', 'handler_failed: still broken', 1],
    ]);
    // Replayed events are not sent again.
    const again = await cli(['--replay', '--json'], env);
    expect(JSON.parse(again.out)).toEqual({
      replayed: [],
      failed: [{ id: 'discord:0:s:2', reason: 'handler_failed: still broken' }],
      notSent: [],
    });
    expect(server.batches.at(-1)!.events.map((e) => e.id)).toEqual(['discord:0:s:2']);
    // The host's file is never rewritten: three lines, as the host wrote them.
    expect(readFileSync(path, 'utf8').trim().split('\n')).toHaveLength(3);
  });

  it('lists and replays QQ dead letters (<spool dir>/qq/dead-letter.jsonl) too, one batch per platform', async () => {
    const { dir, path, file } = deadLetterFile();
    const qqPath = join(dir, 'qq', 'dead-letter.jsonl');
    const qqFile = new DeadLetterFile(qqPath);
    cleanups.push(() => qqFile.close());
    file.write(event(0, 1), 'boom', Date.UTC(2026, 0, 1));
    const qqEvent: EventEnvelope = { ...event(0, 2), id: 'qq:GROUP_AT_MESSAGE_CREATE:x', platform: 'qq' };
    qqFile.write(qqEvent, 'handler failed on all 5 attempts: Error', Date.UTC(2026, 0, 2));
    const server = await workerServer(() => ({ status: 200 }));
    cleanups.push(server.close);
    const env = { EDGESHARD_SPOOL_DIR: dir, EDGESHARD_WORKER_URL: server.url, EDGESHARD_SECRET: SECRET };

    const table = await cli([], env);
    expect(table.out.split('\n')[0]).toBe(`2 dead letters in ${path} and ${qqPath}`);
    const json = JSON.parse((await cli(['--json'], env)).out) as Listed;
    expect(json.deadLetters.map((d) => d.id)).toEqual(['discord:0:s:1', 'qq:GROUP_AT_MESSAGE_CREATE:x']);

    const replay = await cli(['--replay'], env);
    expect(replay.code).toBe(0);
    expect(server.batches.map((b: EventBatch) => b.events.map((e) => `${e.platform} ${e.id}`))).toEqual([
      ['discord discord:0:s:1'],
      ['qq qq:GROUP_AT_MESSAGE_CREATE:x'],
    ]);
    expect((await cli([], env)).out).toBe(`no dead letters in ${path} or ${qqPath}`);
  });

  it('changes nothing when the Worker cannot be reached', async () => {
    const { path, file } = deadLetterFile();
    file.write(event(0, 1), 'boom');
    const down = await workerServer(() => ({ status: 200 }));
    await down.close();
    const env = {
      EDGESHARD_DEAD_LETTER_FILE: path,
      EDGESHARD_SPOOL_DIR: dirname(path),
      EDGESHARD_WORKER_URL: down.url,
      EDGESHARD_SECRET: SECRET,
    };
    const replay = await cli(['--replay'], env);
    expect(replay.code).toBe(1);
    expect(replay.out).toMatch(/^not sent {7}discord:0:s:1: cannot reach the Worker at http:\/\/127\.0\.0\.1:\d+/);
    const listed = JSON.parse((await cli(['--json'], env)).out) as Listed;
    expect(listed.deadLetters.map((d) => [d.id, d.reason])).toEqual([['discord:0:s:1', 'boom']]);
  });

  it('needs EDGESHARD_SECRET to replay, and names it', async () => {
    const { path, file } = deadLetterFile();
    file.write(event(0, 1), 'boom');
    await expect(
      cli(['--replay'], { EDGESHARD_DEAD_LETTER_FILE: path, EDGESHARD_SPOOL_DIR: dirname(path) }),
    ).rejects.toThrow(/EDGESHARD_SECRET is not set/);
  });

  it('lists a dead letter again when the host dead-letters the same event after it was replayed', async () => {
    const { path, file } = deadLetterFile();
    file.write(event(0, 1), 'first', Date.UTC(2026, 0, 1));
    const list = new DeadLetterList(path);
    cleanups.push(() => list.close());
    list.mark(list.outstanding()[0]!, 'replayed');
    expect(list.count()).toBe(0);
    file.write(event(0, 1), 'second', Date.UTC(2026, 0, 2));
    expect(list.outstanding().map((l) => l.reason)).toEqual(['second']);
  });

  it('follows a file the host is appending to: a torn last line waits, later lines are read', () => {
    const { path, file } = deadLetterFile();
    file.write(event(0, 1), 'one');
    const list = new DeadLetterList(path);
    cleanups.push(() => list.close());
    expect(list.count()).toBe(1);
    const line = JSON.stringify({ at: new Date().toISOString(), reason: 'two', event: event(0, 2) }) + '\n';
    appendFileSync(path, line.slice(0, 20)); // the host mid-write
    expect(list.count()).toBe(1);
    appendFileSync(path, line.slice(20));
    expect(list.count()).toBe(2);
    expect(list.corrupt).toBe(0);
    expect(replayMarkPath(path)).toBe(path.replace(/\.jsonl$/, '.replayed.jsonl'));
  });

  it('runs as `shard-host dead-letters --json` and `shard-host --help`', async () => {
    const { path, file } = deadLetterFile();
    file.write(event(2, 9), 'boom');
    const bin = join(import.meta.dirname, '../../../shard-host/bin.mjs');
    const env = { ...process.env, EDGESHARD_DEAD_LETTER_FILE: path, EDGESHARD_SPOOL_DIR: dirname(path) };
    const { stdout } = await run(process.execPath, [bin, 'dead-letters', '--json'], { env });
    expect((JSON.parse(stdout) as Listed).deadLetters.map((d) => d.id)).toEqual(['discord:2:s:9']);
    const help = await run(process.execPath, [bin, '--help'], { env });
    expect(help.stdout).toMatch(/dead-letters +list dead-lettered events/);
  });
});
