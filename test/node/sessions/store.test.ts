import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { memoryLogger } from '../../../shard-host/log.ts';
import {
  FileSessionStore,
  tokenFingerprint,
  MemorySessionStore,
  parseSessionFile,
  type StoredSession,
} from '../../../shard-host/sessions/index.ts';
import { sessionStoreContract } from './contract.ts';

// The memory store "restarts" over one shared map; the file store over one file in a fresh directory.
const shared = new Map<string, MemorySessionStore>();
sessionStoreContract('memory', () => {
  const key = `case-${expect.getState().currentTestName}`;
  if (!shared.has(key)) shared.set(key, new MemorySessionStore());
  return shared.get(key)!;
});

const dirs = new Map<string, string>();
sessionStoreContract('file', () => {
  const key = String(expect.getState().currentTestName);
  if (!dirs.has(key)) dirs.set(key, mkdtempSync(join(tmpdir(), 'edgeshard-sessions-')));
  return new FileSessionStore({
    path: join(dirs.get(key)!, 'nested', 'sessions.json'),
    logger: memoryLogger(),
    delayMs: 5,
  });
});

describe('FileSessionStore', () => {
  const valid: StoredSession = {
    sessionId: 'abc',
    resumeUrl: 'wss://gateway-us-east1-b.discord.gg',
    seq: 42,
    shardCount: 2,
    updatedAt: 1,
  };

  it('batches saves into one write and leaves no temporary file behind', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'edgeshard-sessions-'));
    const store = new FileSessionStore({ path: join(dir, 'sessions.json'), logger: memoryLogger(), delayMs: 5 });
    for (let seq = 1; seq <= 100; seq++) store.save(0, { ...valid, seq });
    await store.flush();
    expect(readdirSync(dir)).toEqual(['sessions.json']);
    expect(JSON.parse(readFileSync(join(dir, 'sessions.json'), 'utf8'))).toEqual({
      v: 1,
      sessions: { 0: { ...valid, seq: 100 } },
    });
  });

  it('keeps sessions per bot token: the file holds a fingerprint, never the token, and another token starts fresh', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'edgeshard-sessions-'));
    const path = join(dir, 'sessions.json');
    const mine = new FileSessionStore({ path, token: 'token-A', logger: memoryLogger(), delayMs: 5 });
    mine.save(0, valid);
    await mine.close();
    const text = readFileSync(path, 'utf8');
    expect(text).not.toContain('token-A');
    expect(JSON.parse(text).bot).toBe(tokenFingerprint('token-A'));
    expect((await new FileSessionStore({ path, token: 'token-A', logger: memoryLogger() }).load()).get(0)).toEqual(
      valid,
    );
    const logger = memoryLogger();
    expect((await new FileSessionStore({ path, token: 'token-B', logger }).load()).size).toBe(0);
    expect(logger.lines.find((l) => l.level === 'info')).toMatchObject({
      msg: expect.stringMatching(/another bot token/),
    });
  });

  it('a corrupt file is moved aside (kept for inspection) with a clear log line, and the host starts without sessions', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'edgeshard-sessions-'));
    const path = join(dir, 'sessions.json');
    writeFileSync(path, '{"v":1,"sessions":{"0":{"sessionId":"x"');
    const logger = memoryLogger();
    const loaded = await new FileSessionStore({ path, logger }).load();
    expect(loaded.size).toBe(0);
    const files = readdirSync(dir);
    expect(files.some((f) => f.startsWith('sessions.json.corrupt-'))).toBe(true);
    expect(logger.lines.find((l) => l.level === 'error')).toMatchObject({
      msg: expect.stringMatching(/moved aside/),
      reason: expect.stringMatching(/not JSON/),
    });
  });
});

describe('session file format', () => {
  const ok = { sessionId: 's', resumeUrl: 'wss://r.test', seq: 1, shardCount: 1, updatedAt: 0 };
  const rows: Array<[what: string, body: unknown, reason: RegExp]> = [
    ['wrong version', { v: 2, sessions: {} }, /"v":1/],
    ['sessions not an object', { v: 1, sessions: [] }, /keyed by shard id/],
    ['bad shard id', { v: 1, sessions: { x: ok } }, /shard id "x"/],
    ['empty session id', { v: 1, sessions: { 0: { ...ok, sessionId: '' } } }, /sessionId/],
    ['resume URL not ws(s)', { v: 1, sessions: { 0: { ...ok, resumeUrl: 'http://x' } } }, /resumeUrl/],
    ['negative seq', { v: 1, sessions: { 0: { ...ok, seq: -1 } } }, /seq/],
    ['zero shard count', { v: 1, sessions: { 0: { ...ok, shardCount: 0 } } }, /shardCount/],
    ['missing updatedAt', { v: 1, sessions: { 0: { ...ok, updatedAt: undefined } } }, /updatedAt/],
  ];
  it.each(rows)('refuses %s', (_what, body, reason) => {
    const parsed = parseSessionFile(JSON.stringify(body));
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reason).toMatch(reason);
  });
  it('accepts a valid file', () => {
    expect(parseSessionFile(JSON.stringify({ v: 1, sessions: { 3: ok } }))).toEqual({
      ok: true,
      bot: null,
      sessions: new Map([[3, ok]]),
    });
  });
});
