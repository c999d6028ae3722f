// A QQ shard over real sockets against the emulator's QQ gateway on port 0: the access token from the
// emulator's token endpoint, GET /gateway/bot, Identify, READY, dispatches with QQ's event ids, Resume after
// a dropped connection, op 7 and op 9, a token expiring mid-session, and a fatal close code.
import { afterEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../../emulator/index.ts';
import { toEnvelope } from '../../../shard-host/gateway/envelope.ts';
import type { DispatchRecord } from '../../../shard-host/gateway/options.ts';
import type { Shard } from '../../../shard-host/gateway/shard.ts';
import { memoryLogger } from '../../../shard-host/log.ts';
import { createQQPlatform, type QQPlatform } from '../../../shard-host/platforms/qq.ts';
import { QQ_DEFAULT_INTENTS } from '../../../protocol/qq.ts';

const open: Array<{ emulator: Emulator; shard?: Shard; platform?: QQPlatform }> = [];

afterEach(async () => {
  for (const { emulator, shard, platform } of open.splice(0)) {
    await shard?.stop({ resumable: false });
    platform?.stop();
    await emulator.close();
  }
});

async function until(cond: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function control<T = Record<string, unknown>>(emulator: Emulator, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${emulator.url}/_emulator/qq${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const json = (await res.json()) as T;
  if (res.status !== 200) throw new Error(`${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

async function setup(options: { qqTokenTtlSeconds?: number } = {}) {
  const emulator = await startEmulator({ port: 0, shards: 1, identifyWindowMs: 50, ...options });
  const entry: (typeof open)[number] = { emulator };
  open.push(entry);
  const info = emulator.webhooks();
  const platform = await createQQPlatform({
    config: {
      appId: info.qqAppId,
      appSecret: info.qqAppSecret,
      apiUrl: `${emulator.url}/qq/api`,
      tokenUrl: `${emulator.url}/qq/app/getAppAccessToken`,
      intents: QQ_DEFAULT_INTENTS,
      sandbox: false,
    },
    logger: memoryLogger(),
  });
  entry.platform = platform;
  const records: DispatchRecord[] = [];
  const fatals: Error[] = [];
  const shard = platform.makeShard(0, undefined, {
    logger: memoryLogger(),
    onDispatch: (r) => records.push(r),
    onFatal: (e) => fatals.push(e),
    identifyGate: { acquire: async () => {} }, // spacing is the coordinator's
    random: () => 0,
  });
  entry.shard = shard;
  const ready = shard.ready();
  shard.start();
  await ready;
  const gateway = () =>
    control<{ identifies: number; resumes: number; connectionsOpened: number; closesByCode: Record<string, number> }>(
      emulator,
      '/gateway',
    );
  const say = (content: string) => control<{ event: { id: string } }>(emulator, '/say', { content, via: 'websocket' });
  const messages = () => records.filter((r) => r.type === 'GROUP_AT_MESSAGE_CREATE');
  return { emulator, platform, shard, records, fatals, gateway, say, messages };
}

describe('QQ shard over a real socket', () => {
  it('fetches a token and the gateway, identifies, receives READY and a group @-message keyed by its QQ id', async () => {
    const t = await setup();
    expect(t.platform.gateway.url).toBe(`${t.emulator.url.replace('http', 'ws')}/qq/websocket`);
    expect(t.platform.shardCount).toBe(1);
    expect(t.records[0]).toMatchObject({ type: 'READY', seq: 1, shard: 0, platform: 'qq' });
    const { event } = await t.say('hello');
    await until(() => t.messages().length === 1, 'GROUP_AT_MESSAGE_CREATE');
    const record = t.messages()[0]!;
    expect(record.eventId).toBe(event.id);
    expect(record.seq).toBe(2);
    expect((record.data as { content: string }).content).toBe(' hello');
    const envelope = toEnvelope(record);
    expect(envelope.id).toBe(`qq:${event.id}`);
    expect(envelope.platform).toBe('qq');
    expect(await t.gateway()).toMatchObject({ identifies: 1, resumes: 0, connectionsOpened: 1 });
  });

  it('resumes after the connection is killed, with no new identify', async () => {
    const t = await setup();
    await control(t.emulator, '/shards/0/drop', {});
    await until(() => t.shard.stats().resumes === 1 && t.shard.state.kind === 'ready', 'RESUMED');
    await t.say('after');
    await until(() => t.messages().length === 1, 'event on the resumed session');
    expect(t.records.map((r) => [r.type, r.seq])).toEqual([
      ['READY', 1],
      ['RESUMED', 2],
      ['GROUP_AT_MESSAGE_CREATE', 3],
    ]);
    expect(await t.gateway()).toMatchObject({ identifies: 1, resumes: 1, connectionsOpened: 2 });
    expect(t.shard.stats()).toMatchObject({ identifies: 1, resumes: 1 });
  });

  it('replays what was sent while the shard was away, then RESUMED', async () => {
    const t = await setup();
    await t.shard.stop({ resumable: true });
    await t.say('while away');
    const ready = t.shard.ready();
    t.shard.start();
    await ready;
    expect(t.records.map((r) => [r.type, r.seq])).toEqual([
      ['READY', 1],
      ['GROUP_AT_MESSAGE_CREATE', 2],
      ['RESUMED', 3],
    ]);
    expect(await t.gateway()).toMatchObject({ identifies: 1, resumes: 1 });
  });

  it('refreshes a short-lived access token while connected, then resumes with the new one', async () => {
    const t = await setup({ qqTokenTtlSeconds: 2 });
    expect(t.platform.tokens.stats.fetched).toBe(1);
    // Half of the 2 s lifetime: the manager fetches the next token with the socket still open.
    await until(() => t.platform.tokens.stats.fetched === 2, 'background refresh', 5_000);
    expect(await t.gateway()).toMatchObject({ connectionsOpened: 1 });
    expect(t.shard.state.kind).toBe('ready');
    await control(t.emulator, '/shards/0/drop', {});
    await until(() => t.shard.stats().resumes === 1 && t.shard.state.kind === 'ready', 'resume');
    expect(await t.gateway()).toMatchObject({ identifies: 1, resumes: 1, closesByCode: {} });
  });

  it('a token expired mid-session: the session stays up; the resume refused with 4004 fetches a new token', async () => {
    const t = await setup();
    await control(t.emulator, '/tokens/expire', {});
    await t.say('still connected');
    await until(() => t.messages().length === 1, 'event on the same connection');
    await control(t.emulator, '/shards/0/drop', {});
    await until(() => t.shard.stats().resumes === 2 && t.shard.state.kind === 'ready', 'second resume');
    expect(await t.gateway()).toMatchObject({
      identifies: 1,
      resumes: 1,
      connectionsOpened: 3,
      closesByCode: { 4004: 1 },
    });
    expect(t.platform.tokens.stats).toMatchObject({ fetched: 2, rejected: 1 });
  });

  it('op 7 resumes; op 9 identifies a new session', async () => {
    const t = await setup();
    await control(t.emulator, '/shards/0/reconnect', {});
    await until(() => t.shard.stats().resumes === 1 && t.shard.state.kind === 'ready', 'resume after op 7');
    const firstSession = t.shard.session()!.sessionId;
    await control(t.emulator, '/shards/0/invalid-session', {});
    await until(
      () => t.shard.stats().identifies === 2 && t.shard.state.kind === 'ready',
      'identify after op 9',
      15_000,
    );
    expect(t.shard.session()!.sessionId).not.toBe(firstSession);
    expect(await t.gateway()).toMatchObject({ identifies: 2, resumes: 1 });
  });

  it('4914 (bot offline, sandbox only) stops the shard with the fix', async () => {
    const t = await setup();
    await control(t.emulator, '/shards/0/close', { code: 4914 });
    await until(() => t.fatals.length === 1, 'fatal');
    expect(t.shard.state.kind).toBe('fatal');
    expect(t.fatals[0]!.message).toMatch(/QQ gateway closed by server with 4914 .*Fix: set QQ_SANDBOX=on/);
  });
});
