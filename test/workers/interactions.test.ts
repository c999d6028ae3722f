import type { APIChatInputApplicationCommandInteraction, APIMessageComponentInteraction } from 'discord-api-types/v10';
import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test';
import { beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../../workers/app.ts';
import { onCommand, onComponent, onModal, Registry } from '../../workers/dispatch/registry.ts';
import { fromHex, importPublicKey, verifySignedRequest } from '../../workers/interactions/ed25519.ts';
import {
  commandInteraction,
  componentInteraction,
  fakeContext,
  RFC8032_TEST2,
  signedInteraction,
  signerFromSeed,
} from './interactions-fixtures.ts';
import { resetCoordinator } from './helpers.ts';

const testEnv = { ...env, DISCORD_PUBLIC_KEY: RFC8032_TEST2.publicKey };
const headerNames = { headers: 'X-Signature-*', fix: 'fix the key' };

async function post(registry: Registry, init: RequestInit, bindings: object = testEnv) {
  const ctx = createExecutionContext();
  const res = await createApp(registry).request('/interactions', init, bindings, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

describe('Ed25519 verification (WebCrypto)', () => {
  it('accepts the RFC 8032 TEST 2 vector (timestamp "" + body "r")', async () => {
    const key = await importPublicKey(RFC8032_TEST2.publicKey, 'KEY');
    await expect(
      verifySignedRequest(
        key,
        { signature: RFC8032_TEST2.signature, timestamp: '', body: RFC8032_TEST2.message },
        headerNames,
      ),
    ).resolves.toBeUndefined();
  });

  const tampered: [string, { signature: string; timestamp: string; body: string }][] = [
    ['a changed body', { signature: RFC8032_TEST2.signature, timestamp: '', body: 's' }],
    ['a changed timestamp', { signature: RFC8032_TEST2.signature, timestamp: '1', body: 'r' }],
    ['a flipped signature bit', { signature: RFC8032_TEST2.signature.replace(/^9/, '8'), timestamp: '', body: 'r' }],
    ['a truncated signature', { signature: RFC8032_TEST2.signature.slice(0, 126), timestamp: '', body: 'r' }],
    ['a signature that is not hex', { signature: 'zz'.repeat(64), timestamp: '', body: 'r' }],
  ];
  for (const [what, req] of tampered) {
    it(`refuses ${what} with bad_signature`, async () => {
      const key = await importPublicKey(RFC8032_TEST2.publicKey, 'KEY');
      await expect(verifySignedRequest(key, req, headerNames)).rejects.toMatchObject({ code: 'bad_signature' });
    });
  }

  it('names the setting when the public key is malformed', async () => {
    await expect(importPublicKey('abc', 'DISCORD_PUBLIC_KEY')).rejects.toThrow(/DISCORD_PUBLIC_KEY must be 64 hex/);
    expect(fromHex('0g')).toBeNull();
  });
});

describe('POST /interactions', () => {
  const pingBot = () => new Registry([onCommand({ name: 'ping', description: 'p' }, (_i, ctx) => ctx.reply('pong'))]);
  // The fixtures share one interaction id; the ledger would answer the second test's copy as a replay.
  beforeEach(resetCoordinator);

  it('answers PING with PONG', async () => {
    const res = await post(
      pingBot(),
      await signedInteraction({ id: '1', application_id: '2', token: 't', type: 1, version: 1 }),
    );
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ type: 1 });
  });

  it('answers a slash command with its handler reply', async () => {
    const res = await post(pingBot(), await signedInteraction(commandInteraction('ping')));
    expect(await res.json()).toEqual({ type: 4, data: { content: 'pong' } });
  });

  const refused: [string, () => Promise<RequestInit>, number, string][] = [
    [
      'a tampered body',
      () => signedInteraction(commandInteraction('ping'), { tamper: (b) => b.replace('ping', 'pong') }),
      401,
      'bad_signature',
    ],
    [
      'a body signed by another key',
      async () => signedInteraction(commandInteraction('ping'), { seed: '11'.repeat(32) }),
      401,
      'bad_signature',
    ],
    [
      'no signature headers',
      async () => ({ method: 'POST', body: JSON.stringify(commandInteraction('ping')) }),
      401,
      'missing_auth',
    ],
    ['a signed body that is not an interaction', () => signedInteraction({ hello: 'world' }), 400, 'malformed_payload'],
  ];
  for (const [what, init, status, code] of refused) {
    it(`refuses ${what} with ${status} ${code} and runs no handler`, async () => {
      let ran = false;
      const registry = new Registry([
        onCommand({ name: 'ping', description: 'p' }, (_i, ctx) => ((ran = true), ctx.reply('pong'))),
      ]);
      const res = await post(registry, await init());
      expect(res.status).toBe(status);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe(code);
      expect(ran).toBe(false);
    });
  }

  it('refuses everything with a clear 500 while DISCORD_PUBLIC_KEY is unset', async () => {
    const res = await post(pingBot(), await signedInteraction(commandInteraction('ping')), { ...env });
    expect(res.status).toBe(500);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(
      /DISCORD_PUBLIC_KEY is not set/,
    );
  });

  it('runs a replayed interaction once: the copy gets 409 already_handled, the handler is not run again', async () => {
    let runs = 0;
    const registry = new Registry([
      onCommand({ name: 'ping', description: 'p' }, (_i, ctx) => {
        runs++;
        return ctx.reply('pong');
      }),
    ]);
    const init = await signedInteraction(commandInteraction('ping'));
    const first = await post(registry, init);
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ type: 4, data: { content: 'pong' } });
    const replay = await post(registry, init);
    expect(replay.status).toBe(409);
    const body = (await replay.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('already_handled');
    expect(body.error.message).toContain('interaction 900000000000000001 was already handled');
    expect(runs).toBe(1);
  });

  it('lets a failed interaction run again (its claim is released), then refuses the copy of the success', async () => {
    let runs = 0;
    const registry = new Registry([
      onCommand({ name: 'flaky', description: 'f' }, (_i, ctx) => {
        runs++;
        if (runs === 1) throw new Error('first try fails');
        return ctx.reply('ok');
      }),
    ]);
    const init = await signedInteraction(commandInteraction('flaky'));
    expect((await post(registry, init)).status).toBe(500);
    const second = await post(registry, init);
    expect(second.status).toBe(200);
    expect(await second.json()).toEqual({ type: 4, data: { content: 'ok' } });
    expect((await post(registry, init)).status).toBe(409);
    expect(runs).toBe(2);
  });

  it('answers every PING with PONG (no handler runs, so no ledger entry)', async () => {
    const init = await signedInteraction({ id: '1', application_id: '2', token: 't', type: 1, version: 1 });
    expect(await (await post(pingBot(), init)).json()).toEqual({ type: 1 });
    expect(await (await post(pingBot(), init)).json()).toEqual({ type: 1 });
  });

  it('answers an unknown command with an ephemeral notice and counts it', async () => {
    const registry = pingBot();
    const res = await post(registry, await signedInteraction(commandInteraction('nope')));
    expect(await res.json()).toMatchObject({ type: 4, data: { flags: 64 } });
    expect(registry.unhandled.get('discord:interaction:command:nope')).toBe(1);
  });

  it('maps a throwing handler to 500 handler_failed naming the event, not the error', async () => {
    const registry = new Registry([
      onCommand({ name: 'boom', description: 'b' }, () => {
        throw new Error('token=super-secret');
      }),
    ]);
    const res = await post(registry, await signedInteraction(commandInteraction('boom')));
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(text).toContain('handler_failed');
    expect(text).toContain('discord:interaction:900000000000000001');
    expect(text).not.toContain('super-secret');
  });

  it('is wired into the deployed entry point (bad signature → 401 before parsing)', async () => {
    const { default: worker } = await import('../../workers/index.ts');
    const req = new Request('http://worker/interactions', {
      method: 'POST',
      body: 'not json',
      headers: { 'x-signature-ed25519': '00'.repeat(64), 'x-signature-timestamp': '1' },
    });
    const res = await worker.fetch(req, testEnv, createExecutionContext());
    expect(res.status).toBe(401);
  });
});

describe('interaction helpers', () => {
  it('defers, then edits the original and sends a follow-up through the webhook routes', async () => {
    const { ctx, requests, waited } = fakeContext();
    const registry = new Registry([
      onCommand({ name: 'slow', description: 's' }, (_i, c) =>
        c.defer(async () => {
          await c.editReply('done');
          await c.followUp({ content: 'and one more' });
        }),
      ),
    ]);
    const outcome = await registry.interactions.route(
      commandInteraction('slow') as unknown as APIChatInputApplicationCommandInteraction,
      ctx,
    );
    expect(outcome.response).toEqual({ type: 5 });
    await Promise.all(waited);
    expect(requests.map((r) => `${r.method} ${r.path} ${r.body}`)).toEqual([
      'PATCH /webhooks/800000000000000001/interaction-token/messages/@original {"content":"done"}',
      'POST /webhooks/800000000000000001/interaction-token {"content":"and one more"}',
    ]);
  });

  it('replaces "thinking…" with a notice when deferred work fails', async () => {
    const { ctx, requests, waited } = fakeContext();
    const registry = new Registry([
      onCommand({ name: 'slow', description: 's' }, (_i, c) =>
        c.defer(async () => Promise.reject(new Error('x')), { ephemeral: true }),
      ),
    ]);
    const outcome = await registry.interactions.route(
      commandInteraction('slow') as unknown as APIChatInputApplicationCommandInteraction,
      ctx,
    );
    expect(outcome.response).toEqual({ type: 5, data: { flags: 64 } });
    await Promise.all(waited);
    expect(requests).toHaveLength(1);
    expect(requests[0]!.body).toContain('discord:interaction:1');
  });

  it('routes components and modals by custom_id prefix, with update and modal responses', async () => {
    const { ctx } = fakeContext();
    const seen: string[] = [];
    const registry = new Registry([
      onComponent('vote', (i, c) => (seen.push(i.data.custom_id), c.update({ content: 'voted' }))),
      onModal('form', (i, c) => (seen.push(i.data.custom_id), c.reply('thanks', { ephemeral: true }))),
      onCommand({ name: 'ask', description: 'a' }, (_i, c) =>
        c.showModal({ custom_id: 'form', title: 'Ask', components: [] }),
      ),
    ]);
    const vote = await registry.interactions.route(
      componentInteraction('vote:42') as unknown as APIMessageComponentInteraction,
      ctx,
    );
    expect(vote.response).toEqual({ type: 7, data: { content: 'voted' } });
    const modal = await registry.interactions.route(componentInteraction('form', 5) as never, ctx);
    expect(modal.response).toEqual({ type: 4, data: { content: 'thanks', flags: 64 } });
    const ask = await registry.interactions.route(commandInteraction('ask') as never, ctx);
    expect(ask.response).toMatchObject({ type: 9, data: { custom_id: 'form' } });
    expect(seen).toEqual(['vote:42', 'form']);
  });

  it('refuses two handlers for one command at startup', () => {
    const def = onCommand({ name: 'x', description: 'x' }, (_i, c) => c.reply('1'));
    expect(() => new Registry([def, def])).toThrow(/two handlers for command "x"/);
  });

  it('answers an interaction that came over the gateway through the callback route', async () => {
    const { ctx, requests } = fakeContext();
    const registry = new Registry([onCommand({ name: 'ping', description: 'p' }, (_i, c) => c.reply('pong'))]);
    const outcome = await registry.dispatch(
      { platform: 'discord', type: 'INTERACTION_CREATE', data: commandInteraction('ping') },
      ctx,
    );
    expect(outcome).toEqual({ handled: 1, errors: [] });
    expect(requests.map((r) => `${r.method} ${r.path} ${r.body}`)).toEqual([
      'POST /interactions/900000000000000001/interaction-token/callback {"type":4,"data":{"content":"pong"}}',
    ]);
  });

  it('signs with the same key the route verifies (fixture sanity)', async () => {
    const sign = await signerFromSeed(RFC8032_TEST2.seed);
    expect(await sign(RFC8032_TEST2.message)).toBe(RFC8032_TEST2.signature);
  });
});
