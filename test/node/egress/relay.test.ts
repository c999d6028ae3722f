// The egress relay on a shard host, driven by the Worker's own relay client (workers/rest/egress.ts runs in
// Node as well) against the emulator: calls leave from the host with its token, and every bad request is
// refused with a reason.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../../emulator/index.ts';
import { EGRESS_VERSION, type EgressRequest } from '../../../protocol/egress.ts';
import { signedHeaders } from '../../../protocol/index.ts';
import { createLogger } from '../../../shard-host/log.ts';
import { startEgressServer, type EgressServer } from '../../../shard-host/egress/index.ts';
import { relayEgress } from '../../../workers/rest/egress.ts';
import { RestProxyCore } from '../../../workers/rest/proxy.ts';

const SECRET = 'egress-test-secret-0123456789';

describe('egress relay', () => {
  let emulator: Emulator;
  let relay: EgressServer;
  let relayUrl: string;

  beforeAll(async () => {
    emulator = await startEmulator({ token: 'host-token' });
    relay = await startEgressServer({
      port: 0,
      host: '127.0.0.1',
      secret: SECRET,
      discordToken: 'host-token',
      discordApiUrl: emulator.apiUrl,
      logger: createLogger({ component: 'egress-test' }, 'error'),
    });
    relayUrl = `http://127.0.0.1:${relay.port}`;
  });
  afterAll(async () => {
    await relay?.close();
    await emulator?.close();
  });

  const post = async (envelope: Partial<EgressRequest>, opts: { secret?: string; now?: number; raw?: string } = {}) => {
    const body =
      opts.raw ??
      JSON.stringify({ v: EGRESS_VERSION, id: crypto.randomUUID(), method: 'GET', headers: {}, ...envelope });
    const res = await fetch(`${relayUrl}/egress`, {
      method: 'POST',
      headers: await signedHeaders(opts.secret ?? SECRET, body, opts.now),
      body,
    });
    return { status: res.status, text: await res.text() };
  };

  it("relays a call with the host's own bot token, so the token never crosses the wire", async () => {
    const egress = relayEgress(relayUrl, SECRET);
    const res = await egress.send({ method: 'GET', url: `${emulator.apiUrl}/users/@me`, headers: {}, botAuth: true });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ bot: true });
    expect(res.headers['x-ratelimit-bucket']).toMatch(/^[0-9a-f]{16}$/);
  });

  it('carries the REST proxy: a message created through the relay', async () => {
    const core = new RestProxyCore({
      apiUrl: emulator.apiUrl,
      egress: relayEgress(relayUrl, SECRET),
      globalPerSecond: 50,
    });
    const channel = emulator.world.guilds[0]!.channels[0]!.id;
    const res = await core.request({
      method: 'POST',
      path: `/channels/${channel}/messages`,
      body: JSON.stringify({ content: 'via the host' }),
    });
    expect(res.status).toBe(200);
    expect(emulator.sentMessages().at(-1)).toMatchObject({ content: 'via the host', channel_id: channel });
  });

  it('passes binary bodies unchanged', async () => {
    const egress = relayEgress(relayUrl, SECRET);
    const channel = emulator.world.guilds[0]!.channels[1]!.id;
    const bytes = new TextEncoder().encode(JSON.stringify({ content: 'bytes ✓' }));
    const res = await egress.send({
      method: 'POST',
      url: `${emulator.apiUrl}/channels/${channel}/messages`,
      headers: { 'content-type': 'application/json' },
      body: bytes.buffer,
      botAuth: true,
    });
    expect(JSON.parse(res.body)).toMatchObject({ content: 'bytes ✓' });
  });

  const refusals: [string, () => Promise<{ status: number; text: string }>, number, RegExp][] = [
    [
      'a wrong secret',
      () => post({ url: 'https://discord.com/api/v10/gateway' }, { secret: 'another-secret-0123456789' }),
      401,
      /EDGESHARD_SECRET/,
    ],
    [
      'a stale timestamp',
      () => post({ url: 'https://discord.com/api/v10/gateway' }, { now: Date.now() - 3_600_000 }),
      401,
      /clock/,
    ],
    ['a host off the allow-list', () => post({ url: 'https://example.com/steal' }), 403, /allow-list/],
    ['plain http to a platform', () => post({ url: 'http://discord.com/api/v10/gateway' }), 403, /https/],
    [
      'the bot token for QQ',
      () => post({ url: 'https://api.sgroup.qq.com/users/@me', inject: 'discord-bot' }),
      403,
      /only added for the Discord API/,
    ],
    ['a malformed envelope', () => post({}, { raw: '{"v":1}' }), 400, /id/],
    ['another protocol version', () => post({}, { raw: '{"v":9}' }), 400, /version/],
    ['a body over the size limit', () => post({}, { raw: 'x'.repeat(37 * 1024 * 1024) }), 413, /larger/],
  ];
  for (const [what, send, status, reason] of refusals) {
    it(`refuses ${what}`, async () => {
      const before = emulator.counters().rest.requests;
      const res = await send();
      expect(res.status).toBe(status);
      expect(res.text).toMatch(reason);
      expect(emulator.counters().rest.requests).toBe(before);
    });
  }

  it('refuses a replayed request id', async () => {
    const body = JSON.stringify({
      v: EGRESS_VERSION,
      id: 'fixed-id-123456',
      method: 'GET',
      url: `${emulator.apiUrl}/gateway`,
      headers: {},
    });
    const headers = await signedHeaders(SECRET, body);
    expect((await fetch(`${relayUrl}/egress`, { method: 'POST', headers, body })).status).toBe(200);
    const again = await fetch(`${relayUrl}/egress`, { method: 'POST', headers, body });
    expect(again.status).toBe(401);
    expect(await again.text()).toMatch(/replayed/);
  });

  it('tells the Worker clearly when the relay is unreachable', async () => {
    const egress = relayEgress('http://127.0.0.1:1', SECRET);
    await expect(
      egress.send({ method: 'GET', url: `${emulator.apiUrl}/gateway`, headers: {}, botAuth: false }),
    ).rejects.toThrow(/EDGESHARD_EGRESS_PORT/);
  });
});
