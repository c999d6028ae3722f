// The emulator's QQ gateway over a raw socket: what it answers to each kind of Identify and Resume.
import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../../emulator/index.ts';

const open: Emulator[] = [];
afterEach(async () => {
  for (const e of open.splice(0)) await e.close();
});

interface Frame {
  op: number;
  d?: unknown;
  s?: number;
  t?: string;
  id?: string;
}

async function setup(options: { qqDisallowedIntents?: number } = {}) {
  const emulator = await startEmulator({ port: 0, identifyWindowMs: 200, ...options });
  open.push(emulator);
  const info = emulator.webhooks();
  const res = await fetch(`${emulator.url}/qq/app/getAppAccessToken`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ appId: info.qqAppId, clientSecret: info.qqAppSecret }),
  });
  const { access_token: token, expires_in } = (await res.json()) as { access_token: string; expires_in: string };
  const bot = (await (
    await fetch(`${emulator.url}/qq/api/gateway/bot`, { headers: { authorization: `QQBot ${token}` } })
  ).json()) as { url: string; shards: number; session_start_limit: Record<string, number> };
  return { emulator, token, expires_in, bot };
}

/** Opens a socket; `next()` resolves with the next frame or the close code. */
function connect(url: string) {
  const ws = new WebSocket(url);
  const queue: (Frame | { close: number })[] = [];
  const waiting: ((v: Frame | { close: number }) => void)[] = [];
  const push = (v: Frame | { close: number }) => (waiting.length ? waiting.shift()!(v) : queue.push(v));
  ws.on('message', (raw) => push(JSON.parse(raw.toString()) as Frame));
  ws.on('close', (code) => push({ close: code }));
  return {
    ws,
    send: (p: unknown) => ws.send(JSON.stringify(p)),
    next: () => new Promise<Frame | { close: number }>((r) => (queue.length ? r(queue.shift()!) : waiting.push(r))),
  };
}

const identify = (token: string, extra: Record<string, unknown> = {}) => ({
  op: 2,
  d: { token: `QQBot ${token}`, intents: 1 << 25, shard: [0, 1], properties: {}, ...extra },
});

describe('emulated QQ gateway', () => {
  it('token endpoint and /gateway/bot answer as QQ documents', async () => {
    const t = await setup();
    expect(t.expires_in).toBe('7200');
    expect(t.bot).toEqual({
      url: `${t.emulator.url.replace('http', 'ws')}/qq/websocket`,
      shards: 1,
      session_start_limit: { total: 1000, remaining: 1000, reset_after: 86_400_000, max_concurrency: 1 },
    });
    const again = await fetch(`${t.emulator.url}/qq/api/gateway/bot`, { headers: { authorization: 'QQBot nope' } });
    expect([again.status, await again.json()]).toEqual([401, { code: 11244, message: 'token not exist or expire' }]);
  });

  it('Hello, Identify → READY with seq 1, heartbeat → ACK', async () => {
    const t = await setup();
    const c = connect(t.bot.url);
    expect(await c.next()).toEqual({ op: 10, d: { heartbeat_interval: 41_250 } });
    c.send(identify(t.token));
    const ready = (await c.next()) as Frame;
    expect([ready.op, ready.s, ready.t, (ready.d as { shard: number[] }).shard]).toEqual([0, 1, 'READY', [0, 1]]);
    c.send({ op: 1, d: 1 });
    expect(await c.next()).toEqual({ op: 11 });
    c.ws.close();
  });

  it.each([
    ['an unknown token', (tok: string) => identify(`${tok}x`), 4004],
    ['a shard id ≥ count', (tok: string) => identify(tok, { shard: [1, 1] }), 4010],
    ['intents with unknown bits', (tok: string) => identify(tok, { intents: 1 << 31 }), 4013],
    ['an unknown opcode', () => ({ op: 3, d: {} }), 4001],
  ])('closes %s with %i', async (_what, payload, code) => {
    const t = await setup();
    const c = connect(t.bot.url);
    await c.next();
    c.send(payload(t.token));
    expect(await c.next()).toEqual({ close: code });
  });

  it('closes intents the bot was not granted with 4014', async () => {
    const t = await setup({ qqDisallowedIntents: 1 << 9 });
    const c = connect(t.bot.url);
    await c.next();
    c.send(identify(t.token, { intents: (1 << 9) | (1 << 25) }));
    expect(await c.next()).toEqual({ close: 4014 });
  });

  it('answers an identify inside the bucket window with op 9, a resume of an unknown session with op 9, a future seq with 4007', async () => {
    const t = await setup();
    const a = connect(t.bot.url);
    await a.next();
    a.send(identify(t.token));
    const ready = (await a.next()) as Frame;
    const b = connect(t.bot.url);
    await b.next();
    b.send(identify(t.token));
    expect(await b.next()).toEqual({ op: 9, d: false });
    const c = connect(t.bot.url);
    await c.next();
    c.send({ op: 6, d: { token: `QQBot ${t.token}`, session_id: 'nope', seq: 1 } });
    expect(await c.next()).toEqual({ op: 9, d: false });
    const session = (ready.d as { session_id: string }).session_id;
    const d = connect(t.bot.url);
    await d.next();
    d.send({ op: 6, d: { token: `QQBot ${t.token}`, session_id: session, seq: 99 } });
    expect(await d.next()).toEqual({ close: 4007 });
    for (const x of [a, b, c]) x.ws.close();
  });
});
