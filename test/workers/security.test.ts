// Issue 11's holes on the Worker side, each with the request that got through before: stale signed
// webhooks, configuration disclosed before a signature check, the status token in URLs, a short secret,
// bodies read whole before their size check, @discordjs/rest's `auth: false` calls, replayed connects,
// and resume URLs that would hand the bot token to another host.
import { createExecutionContext, env, SELF, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import {
  connectSigningBody,
  EdgeshardError,
  ERROR_CODES,
  HOST_HEADER,
  LEASE_PROTOCOL_VERSION as v,
  NONCE_HEADER,
  signedHeaders,
  type CoordinatorMessage,
} from '../../protocol/index.ts';
import { createApp } from '../../workers/app.ts';
import { onCommand, onQQ, Registry } from '../../workers/dispatch/registry.ts';
import { toHex } from '../../workers/interactions/ed25519.ts';
import { qqKeyPair } from '../../workers/qq/keys.ts';
import { MAX_BODY_BYTES, PROXY_KEY_HEADER } from '../../workers/routes/rest.ts';
import { rpcResult } from '../../workers/rpc.ts';
import { RFC8032_TEST2, signerFromSeed } from './interactions-fixtures.ts';
import { batch, envelope, SECRET, signedRequest } from './helpers.ts';

const now = () => Math.floor(Date.now() / 1000);

async function call(path: string, init: RequestInit, bindings: object, registry = new Registry([])) {
  const ctx = createExecutionContext();
  const res = await createApp(registry).request(path, init, bindings, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

describe('QQ callbacks (holes 5 and 6)', () => {
  const QQ_SECRET = 'DG5g3B4j9X2KOErG';
  const qqEnv = { ...env, QQ_APP_ID: '11111111', QQ_APP_SECRET: QQ_SECRET };
  const body = JSON.stringify({ id: 'AT:1', op: 0, t: 'GROUP_AT_MESSAGE_CREATE', d: { id: 'm1', content: 'hi' } });
  async function signedQQ(timestamp: number, appId = '11111111'): Promise<RequestInit> {
    const { privateKey } = await qqKeyPair(QQ_SECRET);
    const sig = await crypto.subtle.sign({ name: 'Ed25519' }, privateKey, new TextEncoder().encode(timestamp + body));
    return {
      method: 'POST',
      body,
      headers: { 'x-signature-ed25519': toHex(sig), 'x-signature-timestamp': String(timestamp), 'x-bot-appid': appId },
    };
  }
  const counting = () => {
    const seen: string[] = [];
    return {
      seen,
      registry: new Registry([onQQ('GROUP_AT_MESSAGE_CREATE', (_d, ctx) => void seen.push(ctx.event.id))]),
    };
  };

  it('runs a fresh signed callback', async () => {
    const { seen, registry } = counting();
    const res = await call('/webhooks/qq', await signedQQ(now()), qqEnv, registry);
    expect(res.status).toBe(200);
    expect(seen).toEqual(['qq:AT:1']);
  });

  for (const [what, age] of [
    ['signed 301 s ago', 301],
    ['signed an hour ago', 3600],
    ['signed 301 s in the future', -301],
  ] as const) {
    it(`refuses a genuine callback ${what} with 401 stale_timestamp, running no handler`, async () => {
      const { seen, registry } = counting();
      const res = await call('/webhooks/qq', await signedQQ(now() - age), qqEnv, registry);
      expect(res.status).toBe(401);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('stale_timestamp');
      expect(seen).toEqual([]);
    });
  }

  it('says nothing about QQ_APP_ID to an unsigned caller with another X-Bot-Appid', async () => {
    const res = await call(
      '/webhooks/qq',
      { method: 'POST', body, headers: { 'x-bot-appid': '22222222' } },
      { ...qqEnv, QQ_APP_ID: '987654321' },
    );
    expect(res.status).toBe(401);
    const text = await res.text();
    expect(text).not.toContain('987654321');
    expect(JSON.parse(text)).toMatchObject({ error: { code: 'missing_auth' } });
  });

  it('refuses a signed callback for another app without naming either id', async () => {
    const res = await call('/webhooks/qq', await signedQQ(now(), '22222222'), { ...qqEnv, QQ_APP_ID: '987654321' });
    expect(res.status).toBe(401);
    const text = await res.text();
    expect(text).not.toContain('987654321');
    expect(text).toMatch(/X-Bot-Appid is not this Worker's QQ_APP_ID/i);
  });

  it('answers an oversized callback 413 without talking about batch settings', async () => {
    const res = await call('/webhooks/qq', { method: 'POST', body: 'x'.repeat(1024 * 1024 + 1) }, qqEnv);
    expect(res.status).toBe(413);
    const text = await res.text();
    expect(text).not.toMatch(/batch/i);
    expect(text).toMatch(/not from QQ/);
  });
});

describe('POST /interactions (holes 5 and 7)', () => {
  const discordEnv = { ...env, DISCORD_PUBLIC_KEY: RFC8032_TEST2.publicKey };
  async function signedAt(body: unknown, timestamp: number): Promise<RequestInit> {
    const sign = await signerFromSeed(RFC8032_TEST2.seed);
    const text = JSON.stringify(body);
    return {
      method: 'POST',
      body: text,
      headers: { 'x-signature-ed25519': await sign(timestamp + text), 'x-signature-timestamp': String(timestamp) },
    };
  }
  const base = { id: '900000000000000001', application_id: '1', token: 't', version: 1 };

  it('refuses a genuine interaction signed 10 minutes ago', async () => {
    const ran: string[] = [];
    const registry = new Registry([
      onCommand({ name: 'ping', description: 'p' }, (_i, ctx) => (ran.push('x'), ctx.reply('pong'))),
    ]);
    const res = await call(
      '/interactions',
      await signedAt({ ...base, type: 2, data: { id: '1', name: 'ping', type: 1 } }, now() - 600),
      discordEnv,
      registry,
    );
    expect(res.status).toBe(401);
    expect(ran).toEqual([]);
  });

  it('answers a signed type 2 without data 400 malformed_payload', async () => {
    const res = await call('/interactions', await signedAt({ ...base, type: 2 }, now()), discordEnv);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: 'malformed_payload', message: /"data" object/ } });
  });

  it('answers an oversized body 413 without talking about batch settings', async () => {
    const res = await call('/interactions', { method: 'POST', body: 'x'.repeat(256 * 1024 + 1) }, discordEnv);
    expect(res.status).toBe(413);
    expect(await res.text()).not.toMatch(/batch/i);
  });
});

describe('EDGESHARD_SECRET (hole 7)', () => {
  it('is refused on the Worker when shorter than the host allows (16)', async () => {
    const body = JSON.stringify(batch([envelope(1)]));
    const res = await call('/events', await signedRequest(body, { secret: 'short-secret' }), {
      ...env,
      EDGESHARD_SECRET: 'short-secret',
    });
    expect(res.status).toBe(500);
    expect(await res.json()).toMatchObject({ error: { code: 'config_invalid', message: /at least 16 characters/ } });
  });
});

describe('status page (hole 7)', () => {
  const statusEnv = { ...env, EDGESHARD_STATUS_TOKEN: 'status-token-0123456789' };

  it('redirects ?token= away from /status.json with one cookie that also reaches /status.json', async () => {
    const res = await call('/status.json?token=status-token-0123456789', {}, statusEnv);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/status.json');
    const cookie = res.headers.get('set-cookie')!;
    expect(cookie).toBe('edgeshard_status=status-token-0123456789; HttpOnly; SameSite=Strict; Path=/');
    const again = await call('/status.json', { headers: { cookie: cookie.split(';')[0]! } }, statusEnv);
    expect(again.status).toBe(200);
    const page = await call('/status', { headers: { cookie: cookie.split(';')[0]! } }, statusEnv);
    expect(page.status).toBe(200);
  });

  it('marks the cookie Secure on https and forbids framing', async () => {
    const res = await call('https://worker.example/status?token=status-token-0123456789', {}, statusEnv);
    expect(res.headers.get('set-cookie')).toMatch(/; Secure$/);
    const page = await call('/status', { headers: { authorization: 'Bearer status-token-0123456789' } }, statusEnv);
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(page.headers.get('x-frame-options')).toBe('DENY');
  });

  it('refuses a wrong token', async () => {
    const res = await call('/status.json', { headers: { authorization: 'Bearer nope' } }, statusEnv);
    expect(res.status).toBe(401);
  });
});

describe('/api/v10 (holes 7 and 8)', () => {
  it('answers 413 as soon as a streamed body passes the limit, without waiting for its end', async () => {
    let pushed = 0;
    const chunk = new Uint8Array(1024 * 1024);
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (pushed <= MAX_BODY_BYTES) {
          pushed += chunk.byteLength;
          controller.enqueue(chunk);
        }
        // then never closes: a reader that waits for the end hangs
      },
    });
    const res = await Promise.race([
      call(
        '/api/v10/channels/1/messages',
        { method: 'POST', body: endless, headers: { authorization: 'Bot test-token' }, duplex: 'half' } as RequestInit,
        env,
      ),
      new Promise<'hung'>((r) => setTimeout(() => r('hung'), 3_000)),
    ]);
    expect(res === 'hung' ? 'hung' : res.status).toBe(413);
    expect(pushed).toBe(MAX_BODY_BYTES + 1024 * 1024 - (MAX_BODY_BYTES % (1024 * 1024)));
  });

  it(`lets a client without Authorization in with ${PROXY_KEY_HEADER} (interaction callbacks)`, async () => {
    const res = await SELF.fetch('http://worker/api/v10/users/@me', {
      headers: { [PROXY_KEY_HEADER]: 'test-proxy-key' },
    });
    expect(res.status).toBe(200);
  });

  it(`refuses a wrong ${PROXY_KEY_HEADER}, and the bot token in it`, async () => {
    for (const key of ['wrong-key', 'test-token']) {
      const res = await SELF.fetch('http://worker/api/v10/users/@me', { headers: { [PROXY_KEY_HEADER]: key } });
      expect(res.status).toBe(401);
    }
  });

  it('keeps a 502 from the REST proxy Durable Object a 502 with its code', async () => {
    const failing = {
      idFromName: () => ({}),
      get: () => ({
        request: () =>
          rpcResult(() => {
            throw new EdgeshardError(ERROR_CODES.UPSTREAM_HTTP, 'the egress relay refused the call (401)');
          }),
      }),
    };
    const res = await call(
      '/api/v10/users/@me',
      { headers: { authorization: 'Bot test-token' } },
      { ...env, REST_PROXY: failing },
    );
    expect(res.status).toBe(502);
    expect(await res.json()).toMatchObject({ error: { code: 'upstream_http' } });
  });
});

describe('coordinator connect (holes 1 and 3)', () => {
  async function connect(hostId: string, nonce: string, headers?: Record<string, string>) {
    const signed = headers ?? (await signedHeaders(SECRET, connectSigningBody(hostId, nonce)));
    return {
      headers: signed,
      res: await SELF.fetch('http://worker/coordinator/connect', {
        headers: { ...signed, [HOST_HEADER]: hostId, [NONCE_HEADER]: nonce, upgrade: 'websocket' },
      }),
    };
  }

  it('refuses a replayed connect and leaves the live socket open', async () => {
    const nonce = crypto.randomUUID();
    const first = await connect('replay-host', nonce);
    expect(first.res.status).toBe(101);
    const live = first.res.webSocket!;
    live.accept();
    const closed: number[] = [];
    live.addEventListener('close', (e) => {
      closed.push(e.code);
    });
    const replay = await connect('replay-host', nonce, first.headers);
    expect(replay.res.status).toBe(401);
    expect(await replay.res.json()).toMatchObject({
      error: { code: 'bad_signature', message: /replayed lease connect/ },
    });
    // The live socket still answers.
    const welcome = new Promise<CoordinatorMessage>((resolve) =>
      live.addEventListener('message', (e) => resolve(JSON.parse(String(e.data)) as CoordinatorMessage)),
    );
    live.send(
      JSON.stringify({
        v,
        type: 'hello',
        id: 1,
        capacity: 1,
        shardCount: 1,
        gateway: {
          maxConcurrency: 1,
          sessionStartTotal: 1000,
          sessionStartRemaining: 1000,
          sessionStartResetAfterMs: 0,
        },
        shards: [],
      }),
    );
    expect((await welcome).type).toBe('welcome');
    expect(closed).toEqual([]);
    live.close(1000, 'done');
  });

  it('refuses a connect whose nonce was changed after signing', async () => {
    const signed = await signedHeaders(SECRET, connectSigningBody('nonce-host', crypto.randomUUID()));
    const { res } = await connect('nonce-host', crypto.randomUUID(), signed);
    expect(res.status).toBe(401);
  });

  it('refuses a connect without a nonce', async () => {
    const signed = await signedHeaders(SECRET, 'connect:old-host');
    const res = await SELF.fetch('http://worker/coordinator/connect', {
      headers: { ...signed, [HOST_HEADER]: 'old-host', upgrade: 'websocket' },
    });
    expect(res.status).toBe(401);
    expect(await res.text()).toMatch(/x-edgeshard-nonce/);
  });

  it('closes a host that reports a resume URL off the platform gateway hosts', async () => {
    const { res } = await connect('evil-host', crypto.randomUUID());
    const ws = res.webSocket!;
    ws.accept();
    const got: CoordinatorMessage[] = [];
    const closed = new Promise<number>((resolve) => ws.addEventListener('close', (e) => resolve(e.code)));
    ws.addEventListener('message', (e) => {
      got.push(JSON.parse(String(e.data)) as CoordinatorMessage);
    });
    ws.send(
      JSON.stringify({
        v,
        type: 'released',
        shard: 0,
        epoch: 1,
        reason: 'x',
        session: { sessionId: 's', resumeUrl: 'wss://token-catcher.example/gateway', seq: 1 },
      }),
    );
    expect(await closed).toBe(4400);
    expect(got).toEqual([
      expect.objectContaining({
        type: 'error',
        code: 'lease_protocol',
        message: expect.stringMatching(/not a platform gateway host/),
      }),
    ]);
  });
});
