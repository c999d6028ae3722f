// Issue 11, holes 2 and 4, over real sockets: the relay refuses from the headers alone (no signature, a
// stale timestamp, no or too large Content-Length) without reading the body, caps concurrent requests,
// cuts off slow senders, and adds the host's QQ credentials itself so QQ_APP_SECRET never crosses it.
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmulator } from '../../../emulator/index.ts';
import { EGRESS_VERSION } from '../../../protocol/egress.ts';
import { signedHeaders } from '../../../protocol/index.ts';
import { startEgressServer, type EgressServer } from '../../../shard-host/egress/index.ts';
import { createLogger } from '../../../shard-host/log.ts';
import { relayEgress } from '../../../workers/rest/egress.ts';
import { QQTokenSource } from '../../../workers/qq/token.ts';
import { egressTransport, type TransportRequest } from '../../../workers/qq/transport.ts';

const SECRET = 'egress-security-secret-0123456789';
const logger = createLogger({ component: 'egress-test' }, 'error');
const open: { close(): unknown }[] = [];
afterEach(async () => {
  for (const o of open.splice(0)) await o.close();
});

async function relay(extra: Partial<Parameters<typeof startEgressServer>[0]> = {}): Promise<EgressServer> {
  const r = await startEgressServer({
    port: 0,
    host: '127.0.0.1',
    secret: SECRET,
    discordToken: 'host-token',
    discordApiUrl: 'http://127.0.0.1:1/api/v10',
    logger,
    ...extra,
  });
  open.push(r);
  return r;
}

/** Sends raw request head (and optionally part of a body); resolves with the status line and whether the
 *  relay closed the connection. */
function raw(port: number, head: string, body = ''): Promise<{ status: number; closed: boolean; socket: Socket }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(head + body));
    open.push({ close: () => socket.destroy() });
    let text = '';
    socket.on('data', (d) => (text += d.toString()));
    socket.on('error', reject);
    socket.on('close', () => resolve({ status: Number(text.split(' ')[1]), closed: true, socket }));
  });
}

const head = (headers: Record<string, string>) =>
  `POST /egress HTTP/1.1\r\nhost: relay\r\n${Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('')}\r\n`;

describe('egress relay: refused before reading the body (hole 4)', () => {
  const cases: [string, () => Promise<Record<string, string>>, number][] = [
    ['no signature, 30 MB declared', async () => ({ 'content-length': String(30 * 1024 * 1024) }), 401],
    [
      'a stale timestamp, 30 MB declared',
      async () => ({ ...(await signedHeaders(SECRET, 'x', Date.now() - 3_600_000)), 'content-length': '31457280' }),
      401,
    ],
    [
      'no Content-Length (chunked)',
      async () => ({ ...(await signedHeaders(SECRET, 'x')), 'transfer-encoding': 'chunked' }),
      411,
    ],
    [
      'a Content-Length over the limit',
      async () => ({ ...(await signedHeaders(SECRET, 'x')), 'content-length': String(37 * 1024 * 1024) }),
      413,
    ],
  ];
  for (const [what, headers, status] of cases) {
    it(`answers ${status} to ${what} at once, without waiting for a body, and closes`, async () => {
      const r = await relay();
      const started = Date.now();
      const res = await raw(r.port, head(await headers()));
      expect(res.status).toBe(status);
      expect(Date.now() - started).toBeLessThan(2_000);
    });
  }

  it('cuts off a sender that does not finish its body in time (408)', async () => {
    const r = await relay({ bodyTimeoutMs: 200 });
    const started = Date.now();
    const res = await raw(r.port, head({ ...(await signedHeaders(SECRET, 'x')), 'content-length': '1000' }), '{"v":1');
    expect(res.status).toBe(408);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('answers 503 past the concurrency cap', async () => {
    const r = await relay({ maxConcurrent: 2, bodyTimeoutMs: 5_000 });
    const slow = async () => {
      const socket = connect(r.port, '127.0.0.1');
      open.push({ close: () => socket.destroy() });
      await new Promise((resolve) => socket.on('connect', resolve));
      socket.write(head({ ...(await signedHeaders(SECRET, 'x')), 'content-length': '1000' }) + '{');
    };
    await slow();
    await slow();
    await new Promise((resolve) => setTimeout(resolve, 100));
    const res = await raw(r.port, head({ ...(await signedHeaders(SECRET, 'x')), 'content-length': '1000' }), '{');
    expect(res.status).toBe(503);
  });
});

describe('QQ credentials stay on the host (hole 2)', () => {
  it("gets a QQ token with the host's QQ_APP_SECRET while the Worker's request carries none", async () => {
    // The emulator's QQ token endpoint answers only the right AppID + AppSecret (emulator/qq/api.ts).
    const emulator = await startEmulator({ token: 'host-token' });
    open.push(emulator);
    const { qqAppId, qqAppSecret } = emulator.webhooks();
    const tokenUrl = `${emulator.url}/qq/app/getAppAccessToken`;
    const r = await relay({ qq: { appId: qqAppId, appSecret: qqAppSecret, tokenUrl } });

    const sent: TransportRequest[] = [];
    const transport = egressTransport(relayEgress(`http://127.0.0.1:${r.port}`, SECRET));
    const tokens = new QQTokenSource({
      url: tokenUrl,
      appId: qqAppId,
      appSecret: 'the-worker-keeps-this-one',
      credentialsOnHost: true,
      transport: (url, init) => (sent.push(init), transport(url, init)),
    });
    expect(await tokens.get()).toMatch(/\S/);
    expect(sent.map((s) => s.body)).toEqual([JSON.stringify({ appId: qqAppId })]);
    expect(JSON.stringify(sent)).not.toContain(qqAppSecret);
  });

  it('refuses to add QQ credentials for any other URL, or on a host without them', async () => {
    const withQQ = await relay({
      qq: { appId: '1', appSecret: 'host-side-app-secret', tokenUrl: 'https://bots.qq.com/app/getAppAccessToken' },
    });
    const without = await relay();
    const post = async (port: number, url: string) => {
      const body = JSON.stringify({
        v: EGRESS_VERSION,
        id: crypto.randomUUID(),
        method: 'POST',
        url,
        headers: {},
        inject: 'qq-app',
      });
      const res = await fetch(`http://127.0.0.1:${port}/egress`, {
        method: 'POST',
        headers: await signedHeaders(SECRET, body),
        body,
      });
      return { status: res.status, text: await res.text() };
    };
    expect(await post(withQQ.port, 'https://api.sgroup.qq.com/users/@me')).toMatchObject({
      status: 403,
      text: /only added for/,
    });
    expect(await post(without.port, 'https://bots.qq.com/app/getAppAccessToken')).toMatchObject({
      status: 403,
      text: /set QQ_APP_ID and QQ_APP_SECRET on the host/,
    });
  });
});

describe('EDGESHARD_EGRESS_URL on the Worker (hole 2)', () => {
  for (const url of ['http://relay.example:8080', 'http://10.0.0.5:8080', 'ftp://relay.example']) {
    it(`refuses ${url}, naming the fix`, async () => {
      await expect(
        relayEgress(url, SECRET).send({
          method: 'GET',
          url: 'https://discord.com/api/v10/gateway',
          headers: {},
          botAuth: false,
        }),
      ).rejects.toMatchObject({ code: 'config_invalid', message: expect.stringMatching(/must be https:\/\/.*Tunnel/) });
    });
  }

  it('allows https and loopback http', async () => {
    const r = await relay();
    const egress = relayEgress(`http://127.0.0.1:${r.port}`, SECRET);
    // Reaches the relay (which refuses the unknown upstream host): no config_invalid.
    await expect(
      egress.send({ method: 'GET', url: 'https://example.com/', headers: {}, botAuth: false }),
    ).rejects.toMatchObject({ code: 'upstream_http', message: expect.stringMatching(/403/) });
  });
});
