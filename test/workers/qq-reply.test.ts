// The whole Worker path for a QQ reply: a signed callback reaches /webhooks/qq, the handler answers with
// ctx.qq.replyGroup, the call goes through the REST proxy Durable Object's `qq` instance (token, limits) to
// the emulator (qq.emulator.test). The same callback delivered again runs the handler again — and QQ sees
// no second reply: msg_seq comes from the event id, the repeat is refused as a duplicate, the handler ends well.
import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { QQGroupAtMessage } from '../../protocol/qq.ts';
import { createApp } from '../../workers/app.ts';
import { onQQ, Registry } from '../../workers/dispatch/registry.ts';
import { toHex } from '../../workers/interactions/ed25519.ts';
import { qqKeyPair } from '../../workers/qq/keys.ts';
import type { QQReplyResult } from '../../workers/qq/client.ts';

const EMU = 'http://qq.emulator.test/_emulator/qq';
const SECRET = env.QQ_APP_SECRET!;

async function signed(body: string): Promise<RequestInit> {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const { privateKey } = await qqKeyPair(SECRET);
  const sig = await crypto.subtle.sign({ name: 'Ed25519' }, privateKey, new TextEncoder().encode(timestamp + body));
  return {
    method: 'POST',
    body,
    headers: {
      'content-type': 'application/json',
      'x-signature-ed25519': toHex(sig),
      'x-signature-timestamp': timestamp,
      'x-bot-appid': env.QQ_APP_ID!,
    },
  };
}

describe('QQ reply through the whole Worker', () => {
  it('answers a group @-message once, even when the callback is delivered twice', async () => {
    const said = (await (
      await fetch(`${EMU}/say`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ content: 'ping', via: 'none' }),
      })
    ).json()) as { event: { id: string }; message: QQGroupAtMessage };
    const results: QQReplyResult[] = [];
    const registry = new Registry([
      onQQ('GROUP_AT_MESSAGE_CREATE', async (m, ctx) => {
        expect(ctx.event.id).toBe(`qq:${said.event.id}`);
        results.push(await ctx.qq.replyGroup(m, 'pong'));
      }),
    ]);
    const body = JSON.stringify({ id: said.event.id, op: 0, t: 'GROUP_AT_MESSAGE_CREATE', d: said.message });
    for (let i = 0; i < 2; i++) {
      const ctx = createExecutionContext();
      const res = await createApp(registry).request('/webhooks/qq', await signed(body), env, ctx);
      await waitOnExecutionContext(ctx);
      expect([res.status, await res.json()]).toEqual([200, { op: 12, d: 0 }]);
    }
    // The delivery ledger runs the handler once; the second delivery is acknowledged without a reply.
    expect(results.map((r) => r.duplicate ?? false)).toEqual([false]);
    const sent = (await (await fetch(`${EMU}/messages`)).json()) as { msg_id?: string; content: string }[];
    expect(sent.filter((m) => m.msg_id === said.message.id).map((m) => m.content)).toEqual(['pong']);
  });
});
