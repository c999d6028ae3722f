// QQ Bot callbacks: key derivation, op 13 and event signatures against QQ's published examples
// (QQ 机器人文档, 开发准备 > 安全和授权 "DEMO", and 事件订阅与通知 > Webhook方式 example), then the route.
import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../workers/app.ts';
import { onQQ, Registry } from '../../workers/dispatch/registry.ts';
import { toHex, verifySignedRequest } from '../../workers/interactions/ed25519.ts';
import { qqKeyPair, qqSeed } from '../../workers/qq/keys.ts';
import { answerValidation } from '../../workers/qq/validation.ts';

/** 安全和授权 > DEMO: secret, derived public key, and the signature of timestamp + body. */
const SIGN_DEMO = {
  secret: 'naOC0ocQE3shWLAfffVLB1rhYPG7',
  seed: 'naOC0ocQE3shWLAfffVLB1rhYPG7naOC',
  publicKey: [
    215, 195, 98, 254, 120, 174, 248, 31, 242, 50, 135, 180, 147, 98, 139, 93, 176, 42, 60, 79, 227, 11, 33, 94, 77, 25,
    96, 155, 93, 118, 103, 58,
  ],
  // The page shows `{ "op": 0,"d": {}, "t": "GATEWAY_EVENT_NAME"}`, but the signature is over the same JSON
  // pretty-printed with two-space indentation (the form the example was made from); checked with node:crypto.
  body: '{\n  "op": 0,\n  "d": {},\n  "t": "GATEWAY_EVENT_NAME"\n}',
  timestamp: '1725442341',
  signature:
    '865ad13a61752ca65e26bde6676459cd36cf1be609375b37bd62af366e1dc25a8dc789ba7f14e017ada3d554c671a911bfdf075ba54835b23391d509579ed002',
};

/** 事件订阅与通知 > Webhook方式: the op 13 example and the answer QQ expects. */
const VALIDATION_DEMO = {
  secret: 'DG5g3B4j9X2KOErG',
  body: '{"d":{"plain_token":"Arq0D5A61EgUu4OxUvOp","event_ts":"1725442341"},"op":13}',
  answer: {
    plain_token: 'Arq0D5A61EgUu4OxUvOp',
    signature:
      '87befc99c42c651b3aac0278e71ada338433ae26fcb24307bdc5ad38c1adc2d01bcfcadc0842edac85e85205028a1132afe09280305f13aa6909ffc2d652c706',
  },
};

const names = { headers: 'X-Signature-*', fix: 'fix QQ_APP_SECRET' };

async function sign(secret: string, timestamp: string, body: string): Promise<string> {
  const { privateKey } = await qqKeyPair(secret);
  return toHex(await crypto.subtle.sign({ name: 'Ed25519' }, privateKey, new TextEncoder().encode(timestamp + body)));
}

async function signed(
  secret: string,
  body: string,
  timestamp = String(Math.floor(Date.now() / 1000)),
): Promise<RequestInit> {
  return {
    method: 'POST',
    body,
    headers: {
      'content-type': 'application/json',
      'x-signature-ed25519': await sign(secret, timestamp, body),
      'x-signature-timestamp': timestamp,
      'x-bot-appid': '11111111',
      'user-agent': 'QQBot-Callback',
    },
  };
}

describe('QQ key derivation and signatures (published examples)', () => {
  it('repeats the secret to a 32-byte seed', () => {
    expect(new TextDecoder().decode(qqSeed(SIGN_DEMO.secret))).toBe(SIGN_DEMO.seed);
    expect(qqSeed('a'.repeat(40))).toHaveLength(32);
  });

  it('derives the published public key', async () => {
    const { publicKey } = await qqKeyPair(SIGN_DEMO.secret);
    expect([...new Uint8Array((await crypto.subtle.exportKey('raw', publicKey)) as ArrayBuffer)]).toEqual(
      SIGN_DEMO.publicKey,
    );
  });

  it('produces and verifies the published event signature', async () => {
    expect(await sign(SIGN_DEMO.secret, SIGN_DEMO.timestamp, SIGN_DEMO.body)).toBe(SIGN_DEMO.signature);
    const { publicKey } = await qqKeyPair(SIGN_DEMO.secret);
    await expect(
      verifySignedRequest(
        publicKey,
        { signature: SIGN_DEMO.signature, timestamp: SIGN_DEMO.timestamp, body: SIGN_DEMO.body },
        names,
      ),
    ).resolves.toBeUndefined();
  });

  it('refuses the published signature over a tampered body', async () => {
    const { publicKey } = await qqKeyPair(SIGN_DEMO.secret);
    const body = SIGN_DEMO.body.replace('"op": 0', '"op": 1');
    await expect(
      verifySignedRequest(publicKey, { signature: SIGN_DEMO.signature, timestamp: SIGN_DEMO.timestamp, body }, names),
    ).rejects.toMatchObject({ code: 'bad_signature' });
  });

  it('answers the published op 13 example with the published signature', async () => {
    expect(
      await answerValidation(VALIDATION_DEMO.secret, { plain_token: 'Arq0D5A61EgUu4OxUvOp', event_ts: '1725442341' }),
    ).toEqual(VALIDATION_DEMO.answer);
  });
});

describe('POST /webhooks/qq', () => {
  const SECRET = VALIDATION_DEMO.secret;
  const qqEnv = { ...env, QQ_APP_ID: '11111111', QQ_APP_SECRET: SECRET };
  const groupAt = (id: string) =>
    JSON.stringify({
      id: `GROUP_AT_MESSAGE_CREATE:${id}`,
      op: 0,
      t: 'GROUP_AT_MESSAGE_CREATE',
      d: {
        id: `ROBOT1.0_${id}`,
        author: { member_openid: 'M1' },
        content: ' hello',
        timestamp: '2024-01-01T00:00:00+08:00',
        group_openid: 'G1',
      },
    });

  async function post(registry: Registry, init: RequestInit, bindings: object = qqEnv) {
    const ctx = createExecutionContext();
    const res = await createApp(registry).request('/webhooks/qq', init, bindings, ctx);
    await waitOnExecutionContext(ctx);
    return res;
  }

  it('answers the published op 13 example when it arrives signed', async () => {
    const res = await post(new Registry([]), await signed(SECRET, VALIDATION_DEMO.body));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(VALIDATION_DEMO.answer);
  });

  it('dispatches a signed group @-message to its typed handlers, then acknowledges with op 12', async () => {
    const seen: string[] = [];
    const registry = new Registry([
      onQQ(
        'GROUP_AT_MESSAGE_CREATE',
        (message, ctx) => void seen.push(`${ctx.event.id} ${message.group_openid} ${message.content.trim()}`),
      ),
      onQQ('GROUP_AT_MESSAGE_CREATE', (message) => void seen.push(`second ${message.author.member_openid}`)),
    ]);
    const res = await post(registry, await signed(SECRET, groupAt('a')));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ op: 12, d: 0 });
    expect(seen).toEqual(['qq:GROUP_AT_MESSAGE_CREATE:a G1 hello', 'second M1']);
  });

  it('acknowledges an event nobody handles and counts it', async () => {
    const registry = new Registry([]);
    const res = await post(registry, await signed(SECRET, groupAt('b')));
    expect(await res.json()).toEqual({ op: 12, d: 0 });
    expect(registry.unhandled.get('qq:GROUP_AT_MESSAGE_CREATE')).toBe(1);
  });

  it('does not acknowledge an event whose handler failed, so QQ delivers it again', async () => {
    const registry = new Registry([
      onQQ('GROUP_AT_MESSAGE_CREATE', () => {
        throw new Error('secret-detail');
      }),
    ]);
    const res = await post(registry, await signed(SECRET, groupAt('c')));
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(text).toContain('handler_failed');
    expect(text).not.toContain('secret-detail');
  });

  const refused: [string, () => Promise<RequestInit>, number, string, object?][] = [
    [
      'a tampered body',
      async () => ({ ...(await signed(SECRET, groupAt('d'))), body: groupAt('e') }),
      401,
      'bad_signature',
    ],
    [
      'an op 13 signed with another secret (no signing oracle)',
      () => signed('another-secret-entirely', VALIDATION_DEMO.body),
      401,
      'bad_signature',
    ],
    ['an unsigned op 13', async () => ({ method: 'POST', body: VALIDATION_DEMO.body }), 401, 'missing_auth'],
    [
      'a callback for another app id',
      async () => {
        const init = await signed(SECRET, groupAt('f'));
        return { ...init, headers: { ...(init.headers as Record<string, string>), 'x-bot-appid': '22222222' } };
      },
      401,
      'bad_signature',
    ],
    ['a signed body that is not a payload', () => signed(SECRET, '[1,2]'), 400, 'malformed_payload'],
    [
      'a signed dispatch without an event name',
      () => signed(SECRET, '{"op":0,"id":"x","d":{}}'),
      400,
      'malformed_payload',
    ],
    [
      'any request while QQ_APP_SECRET is unset',
      () => signed(SECRET, groupAt('g')),
      500,
      'config_invalid',
      { ...env, QQ_APP_SECRET: undefined },
    ],
  ];
  for (const [what, init, status, code, bindings] of refused) {
    it(`refuses ${what} with ${status} ${code}`, async () => {
      let ran = false;
      const registry = new Registry([onQQ('GROUP_AT_MESSAGE_CREATE', () => void (ran = true))]);
      const res = await post(registry, await init(), bindings);
      expect(res.status).toBe(status);
      const json = (await res.json()) as { error: { code: string; message: string } };
      expect(json.error.code).toBe(code);
      expect(json.error.message).not.toContain(SECRET);
      expect(ran).toBe(false);
    });
  }
});
