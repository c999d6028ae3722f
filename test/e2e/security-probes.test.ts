// Issue 11's probe table against the real Worker (wrangler dev) and a real egress relay: forged, replayed,
// oversized and malformed requests, each with the answer it must get. Prints the table (input → answer)
// for the record; every row is also an assertion.
import { createPrivateKey, sign as edSign } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startEmulator, type Emulator } from '../../emulator/index.ts';
import { EGRESS_VERSION } from '../../protocol/egress.ts';
import {
  connectSigningBody,
  HOST_HEADER,
  LEASE_PROTOCOL_VERSION,
  NONCE_HEADER,
  signedHeaders,
} from '../../protocol/index.ts';
import { freePort } from '../../scripts/lib/proc.ts';
import { ROOT, startWorkerProcess, type WorkerProcess } from '../../scripts/lib/stack.ts';
import { startEgressServer, type EgressServer } from '../../shard-host/egress/index.ts';
import { createLogger } from '../../shard-host/log.ts';

const SECRET = 'probe-secret-0123456789abcdef';
const PROXY_KEY = 'probe-proxy-key-0123456789';
const STATUS_TOKEN = 'probe-status-token-0123456789';
const QQ_SECRET = 'DG5g3B4j9X2KOErG';
/** RFC 8032 §7.1 TEST 2 seed; its public key is the Worker's DISCORD_PUBLIC_KEY here. */
const DISCORD_SEED = '4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb';
const DISCORD_PUBLIC_KEY = '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c';

const ed25519 = (seed: Buffer) =>
  createPrivateKey({
    key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]),
    format: 'der',
    type: 'pkcs8',
  });
const discordKey = ed25519(Buffer.from(DISCORD_SEED, 'hex'));
const qqKey = ed25519(Buffer.from(QQ_SECRET.repeat(4).slice(0, 32)));
const edHeaders = (key: ReturnType<typeof ed25519>, body: string, ageSeconds = 0) => {
  const timestamp = String(Math.floor(Date.now() / 1000) - ageSeconds);
  return {
    'x-signature-ed25519': edSign(null, Buffer.from(timestamp + body), key).toString('hex'),
    'x-signature-timestamp': timestamp,
  };
};

interface Row {
  target: string;
  input: string;
  expected: number;
  got: number;
  answer: string;
}
const rows: Row[] = [];

describe('security probes against wrangler dev and the egress relay', () => {
  let emulator: Emulator;
  let worker: WorkerProcess;
  let relay: EgressServer;
  let base: string;

  beforeAll(async () => {
    emulator = await startEmulator({ token: 'probe-bot-token' });
    worker = await startWorkerProcess({
      port: await freePort(),
      inspectorPort: await freePort(),
      persistTo: join(mkdtempSync(join(tmpdir(), 'edgeshard-probes-')), 'wrangler'),
      config: `${ROOT}test/e2e/wrangler.e2e.toml`,
      vars: {
        EDGESHARD_SECRET: SECRET,
        DISCORD_TOKEN: emulator.token,
        DISCORD_API_URL: emulator.apiUrl,
        DISCORD_PUBLIC_KEY,
        QQ_APP_ID: '11111111',
        QQ_APP_SECRET: QQ_SECRET,
        EDGESHARD_REST_PROXY_KEY: PROXY_KEY,
        EDGESHARD_STATUS_TOKEN: STATUS_TOKEN,
        LEDGER_URL: 'http://127.0.0.1:1/',
      },
    });
    base = worker.url;
    relay = await startEgressServer({
      port: 0,
      host: '127.0.0.1',
      secret: SECRET,
      discordToken: emulator.token,
      discordApiUrl: emulator.apiUrl,
      logger: createLogger({ component: 'probe-relay' }, 'error'),
      maxConcurrent: 2,
      bodyTimeoutMs: 500,
    });
  });

  afterAll(async () => {
    console.log(
      [
        '| target | input | answer |',
        '| --- | --- | --- |',
        ...rows.map((r) => `| ${r.target} | ${r.input} | ${r.got} ${r.answer} |`),
      ].join('\n'),
    );
    await relay?.close();
    await worker?.stop('SIGINT');
    await emulator?.close();
  });

  async function probe(
    target: string,
    input: string,
    expected: number,
    send: () => Promise<Response>,
    expectText?: RegExp,
  ) {
    const res = await send();
    const text = await res.text();
    let answer = text;
    try {
      const json = JSON.parse(text) as { error?: string | { code: string; message: string }; message?: string };
      answer =
        typeof json.error === 'string'
          ? json.error // the relay's answers
          : json.error
            ? `${json.error.code}: ${json.error.message}`
            : (json.message ?? text);
    } catch {
      /* not JSON */
    }
    if (res.status === 303) answer = `→ ${res.headers.get('location')}; set-cookie ${res.headers.get('set-cookie')}`;
    rows.push({
      target,
      input,
      expected,
      got: res.status,
      answer: answer.replace(/\s+/g, ' ').slice(0, 140).replaceAll('|', '\\|'),
    });
    expect(res.status, `${input}: ${text}`).toBe(expected);
    if (expectText) expect(text).toMatch(expectText);
    return { res, text };
  }

  const batch = (events: unknown[]) => JSON.stringify({ v: 2, host: 'probe', epochs: { 0: 0 }, events });
  const event = (seq: number) => ({
    id: `discord:0:s:${seq}`,
    platform: 'discord',
    shard: 0,
    session: 's',
    seq,
    type: 'X',
    data: {},
    receivedAt: 1,
  });
  const post = (path: string, body: string, headers: Record<string, string> = {}) =>
    fetch(`${base}${path}`, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });

  it('/events', async () => {
    const body = batch([event(1)]);
    await probe('/events', 'unsigned batch', 401, () => post('/events', body), /missing_auth/);
    await probe(
      '/events',
      'signed with another secret',
      401,
      async () => post('/events', body, await signedHeaders('another-secret-0123456789', body)),
      /bad_signature/,
    );
    await probe(
      '/events',
      'signed 1 h ago (replay)',
      401,
      async () => post('/events', body, await signedHeaders(SECRET, body, Date.now() - 3_600_000)),
      /stale_timestamp/,
    );
    await probe(
      '/events',
      '2 MiB unsigned body',
      413,
      () => post('/events', 'x'.repeat(2 * 1024 * 1024)),
      /EDGESHARD_MAX_BATCH_BYTES/,
    );
    const many = batch(Array.from({ length: 1001 }, (_, i) => event(i + 1)));
    await probe(
      '/events',
      'signed, 1001 events',
      400,
      async () => post('/events', many, await signedHeaders(SECRET, many)),
      /at most 1000/,
    );
    const negative = batch([event(-1)]);
    await probe(
      '/events',
      'signed, seq -1',
      400,
      async () => post('/events', negative, await signedHeaders(SECRET, negative)),
      /seq/,
    );
    const noEpoch = JSON.stringify({ v: 2, host: 'probe', epochs: { 1: 0 }, events: [event(1)] });
    await probe(
      '/events',
      'signed, shard 0 missing from epochs',
      400,
      async () => post('/events', noEpoch, await signedHeaders(SECRET, noEpoch)),
      /events\[0\]\.shard 0 has no entry in \\"epochs\\"/,
    );
    const v1 = JSON.stringify({ v: 1, host: 'probe', epoch: 0, events: [event(1)] });
    await probe(
      '/events',
      'signed, batch version 1 (an older host)',
      503,
      async () => post('/events', v1, await signedHeaders(SECRET, v1)),
      /batch_version.*upgrade it/,
    );
  });

  it('/coordinator/connect', async () => {
    const url = `${base.replace('http', 'ws')}/coordinator/connect`;
    const open = (headers: Record<string, string>) =>
      new Promise<{ status: number; ws?: WebSocket; body: string }>((resolve) => {
        const ws = new WebSocket(url, { headers });
        ws.on('open', () => resolve({ status: 101, ws, body: '' }));
        ws.on('unexpected-response', (_req, res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        });
      });
    const nonce = crypto.randomUUID();
    const headers = {
      ...(await signedHeaders(SECRET, connectSigningBody('probe-host', nonce))),
      [HOST_HEADER]: 'probe-host',
      [NONCE_HEADER]: nonce,
    };
    const asResponse = (r: { status: number; body: string }) =>
      new Response(r.body || null, { status: r.status === 101 ? 200 : r.status });
    const first = await open(headers);
    rows.push({
      target: '/coordinator/connect',
      input: 'signed connect',
      expected: 101,
      got: first.status,
      answer: 'WebSocket open',
    });
    expect(first.status).toBe(101);
    const closed: number[] = [];
    first.ws!.on('close', (code) => closed.push(code));
    await probe(
      '/coordinator/connect',
      'the same signed connect replayed',
      401,
      async () => asResponse(await open(headers)),
      /replayed lease connect/,
    );
    await probe('/coordinator/connect', 'signed without a nonce (old host)', 401, async () =>
      asResponse(await open({ ...(await signedHeaders(SECRET, 'connect:probe-host')), [HOST_HEADER]: 'probe-host' })),
    );
    // The live socket survived the replay: it still answers.
    const got: unknown[] = [];
    first.ws!.on('message', (m) => got.push(JSON.parse(m.toString())));
    const gone = new Promise<number>((resolve) => first.ws!.on('close', resolve));
    first.ws!.send(
      JSON.stringify({
        v: LEASE_PROTOCOL_VERSION,
        type: 'released',
        shard: 0,
        epoch: 1,
        reason: 'x',
        session: { sessionId: 's', resumeUrl: 'wss://token-catcher.example/gateway', seq: 1 },
      }),
    );
    const code = await gone;
    expect(closed).toEqual([4400]);
    rows.push({
      target: '/coordinator/connect',
      input: 'live host reports resumeUrl wss://token-catcher.example',
      expected: 4400,
      got: code,
      answer: `closed 4400 after ${JSON.stringify(got[0]).slice(0, 120)}`,
    });
    expect(code).toBe(4400);
  });

  it('/interactions', async () => {
    const command = (extra: object) =>
      JSON.stringify({ id: '900000000000000001', application_id: '1', token: 't', version: 1, ...extra });
    await probe(
      '/interactions',
      'unsigned PING',
      401,
      () => post('/interactions', command({ type: 1 })),
      /missing_auth/,
    );
    const ping = command({ type: 1 });
    await probe('/interactions', 'signed PING', 200, () => post('/interactions', ping, edHeaders(discordKey, ping)));
    await probe(
      '/interactions',
      'signed PING, 10 min old (replay)',
      401,
      () => post('/interactions', ping, edHeaders(discordKey, ping, 600)),
      /stale_timestamp/,
    );
    const noData = command({ type: 2 });
    await probe(
      '/interactions',
      'signed type 2 without data',
      400,
      () => post('/interactions', noData, edHeaders(discordKey, noData)),
      /malformed_payload/,
    );
    const noCustomId = command({ type: 3, data: {} });
    await probe('/interactions', 'signed type 3 without data.custom_id', 400, () =>
      post('/interactions', noCustomId, edHeaders(discordKey, noCustomId)),
    );
    await probe(
      '/interactions',
      '300 KiB body',
      413,
      () => post('/interactions', 'x'.repeat(300 * 1024)),
      /not from Discord/,
    );
  });

  it('/webhooks/qq', async () => {
    const body = JSON.stringify({ id: 'AT:1', op: 0, t: 'GROUP_AT_MESSAGE_CREATE', d: { id: 'm', content: 'x' } });
    const { text } = await probe(
      '/webhooks/qq',
      'unsigned, X-Bot-Appid 22222222',
      401,
      () => post('/webhooks/qq', body, { 'x-bot-appid': '22222222' }),
      /missing_auth/,
    );
    expect(text).not.toContain('11111111');
    const { text: other } = await probe('/webhooks/qq', 'signed, X-Bot-Appid 22222222', 401, () =>
      post('/webhooks/qq', body, { ...edHeaders(qqKey, body), 'x-bot-appid': '22222222' }),
    );
    expect(other).not.toContain('11111111');
    await probe(
      '/webhooks/qq',
      'signed dispatch, 10 min old (replay)',
      401,
      () => post('/webhooks/qq', body, edHeaders(qqKey, body, 600)),
      /stale_timestamp/,
    );
    const validation = JSON.stringify({ op: 13, d: { plain_token: 'p', event_ts: '1' } });
    await probe('/webhooks/qq', 'unsigned op 13 (signing oracle)', 401, () => post('/webhooks/qq', validation));
    await probe(
      '/webhooks/qq',
      '2 MiB body',
      413,
      () => post('/webhooks/qq', 'x'.repeat(2 * 1024 * 1024)),
      /not from QQ/,
    );
  });

  it('/api/v10', async () => {
    const me = (headers: Record<string, string>) => fetch(`${base}/api/v10/users/@me`, { headers });
    await probe('/api/v10', 'no credentials', 401, () => me({}));
    await probe('/api/v10', 'Authorization: Bot <another token>', 401, () =>
      me({ authorization: 'Bot not-our-token' }),
    );
    await probe('/api/v10', 'X-Edgeshard-Proxy-Key: <right key>, no Authorization', 200, () =>
      me({ 'x-edgeshard-proxy-key': PROXY_KEY }),
    );
    await probe('/api/v10', 'X-Edgeshard-Proxy-Key: <the bot token>', 401, () =>
      me({ 'x-edgeshard-proxy-key': emulator.token }),
    );
    const chunks = 27;
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        for (let i = 0; i < chunks; i++) c.enqueue(new Uint8Array(1024 * 1024));
        c.close();
      },
    });
    await probe('/api/v10', '27 MiB streamed body (no Content-Length)', 413, () =>
      fetch(`${base}/api/v10/channels/1/messages`, {
        method: 'POST',
        body: stream,
        headers: { authorization: `Bot ${emulator.token}` },
        duplex: 'half',
      } as RequestInit),
    );
  });

  it('/status', async () => {
    const get = (path: string, headers: Record<string, string> = {}) =>
      fetch(`${base}${path}`, { headers, redirect: 'manual' });
    await probe('/status', 'no token', 401, () => get('/status.json'));
    await probe('/status', 'wrong bearer', 401, () => get('/status.json', { authorization: 'Bearer nope' }));
    const { res } = await probe('/status', '/status.json?token=<right>', 303, () =>
      get(`/status.json?token=${STATUS_TOKEN}`),
    );
    const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
    await probe('/status', '/status with the cookie', 200, () => get('/status', { cookie }));
    const { res: json } = await probe('/status', '/status.json with the cookie', 200, () =>
      get('/status.json', { cookie }),
    );
    expect(json.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
  });

  it('egress relay', async () => {
    const relayUrl = `http://127.0.0.1:${relay.port}/egress`;
    const rawStatus = (head: string, body = '') =>
      new Promise<Response>((resolve) => {
        const socket = connect(relay.port, '127.0.0.1', () => socket.write(head + body));
        let text = '';
        socket.on('data', (d) => (text += d.toString()));
        socket.on('close', () =>
          resolve(new Response(text.split('\r\n\r\n')[1] ?? '', { status: Number(text.split(' ')[1]) || 599 })),
        );
      });
    const head = (h: Record<string, string>) =>
      `POST /egress HTTP/1.1\r\nhost: relay\r\n${Object.entries(h)
        .map(([k, v]) => `${k}: ${v}\r\n`)
        .join('')}\r\n`;
    await probe('relay', 'unsigned, Content-Length 30 MB, no body sent', 401, () =>
      rawStatus(head({ 'content-length': '31457280' })),
    );
    await probe('relay', 'signed 1 h ago, 30 MB declared', 401, async () =>
      rawStatus(head({ ...(await signedHeaders(SECRET, 'x', Date.now() - 3_600_000)), 'content-length': '31457280' })),
    );
    await probe('relay', 'signed headers, chunked (no Content-Length)', 411, async () =>
      rawStatus(head({ ...(await signedHeaders(SECRET, 'x')), 'transfer-encoding': 'chunked' })),
    );
    await probe('relay', 'signed headers, Content-Length 37 MiB', 413, async () =>
      rawStatus(head({ ...(await signedHeaders(SECRET, 'x')), 'content-length': String(37 * 1024 * 1024) })),
    );
    await probe('relay', 'signed headers, 6 of 1000 bytes then silence', 408, async () =>
      rawStatus(head({ ...(await signedHeaders(SECRET, 'x')), 'content-length': '1000' }), '{"v":1'),
    );
    const slow = head({ ...(await signedHeaders(SECRET, 'x')), 'content-length': '1000' }) + '{';
    const hanging = [0, 1].map(() =>
      connect(relay.port, '127.0.0.1', function (this: ReturnType<typeof connect>) {
        this.write(slow);
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    await probe('relay', 'a 3rd request while 2 slow senders hold the cap (maxConcurrent 2)', 503, () =>
      rawStatus(slow),
    );
    for (const h of hanging) h.destroy();
    const send = async (envelope: object) => {
      const body = JSON.stringify({
        v: EGRESS_VERSION,
        id: crypto.randomUUID(),
        method: 'GET',
        headers: {},
        ...envelope,
      });
      return fetch(relayUrl, { method: 'POST', body, headers: await signedHeaders(SECRET, body) });
    };
    await probe(
      'relay',
      'signed, url https://example.com/steal',
      403,
      () => send({ url: 'https://example.com/steal' }),
      /allow-list/,
    );
    await probe('relay', 'signed, inject qq-app on a host without QQ credentials', 403, () =>
      send({ url: 'https://bots.qq.com/app/getAppAccessToken', method: 'POST', inject: 'qq-app' }),
    );
    await probe('relay', 'signed, inject discord-bot for api.sgroup.qq.com', 403, () =>
      send({ url: 'https://api.sgroup.qq.com/users/@me', inject: 'discord-bot' }),
    );
    const body = JSON.stringify({
      v: EGRESS_VERSION,
      id: 'fixed-probe-id-1',
      method: 'GET',
      url: `${emulator.apiUrl}/gateway`,
      headers: {},
    });
    const headers = await signedHeaders(SECRET, body);
    await probe('relay', 'signed request', 200, () => fetch(relayUrl, { method: 'POST', body, headers }));
    await probe(
      'relay',
      'the same signed request replayed',
      401,
      () => fetch(relayUrl, { method: 'POST', body, headers }),
      /replayed/,
    );
  });
});
