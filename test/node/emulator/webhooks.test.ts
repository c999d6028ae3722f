// The emulator's webhook platforms: Discord interactions and QQ callbacks are signed so that the published
// keys verify them, QQ's key comes from the secret as QQ documents, and the QQ OpenAPI enforces its reply
// rules. A tiny HTTP server stands in for the bot's endpoint (the emulator is what is under test here).
import { createServer, type Server } from 'node:http';
import { createPublicKey, verify } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../../emulator/index.ts';
import { qqSigningKey } from '../../../emulator/qq/keys.ts';

interface Seen {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

describe('emulator webhooks', () => {
  let emu: Emulator;
  let bot: Server;
  const seen: Seen[] = [];
  let answer: (s: Seen) => unknown = () => ({ type: 1 });

  beforeAll(async () => {
    bot = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const s = { path: req.url ?? '', headers: req.headers, body };
        seen.push(s);
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify(answer(s)));
      });
    });
    await new Promise<void>((r) => bot.listen(0, '127.0.0.1', () => r()));
    const { port } = bot.address() as { port: number };
    emu = await startEmulator({ workerUrl: `http://127.0.0.1:${port}`, qqAppSecret: 'DG5g3B4j9X2KOErG' } as Parameters<
      typeof startEmulator
    >[0]);
  });

  afterAll(async () => {
    await emu?.close();
    await new Promise((r) => bot.close(r));
  });

  const post = async (path: string, body: unknown = {}) =>
    (await fetch(`${emu.url}${path}`, { method: 'POST', body: JSON.stringify(body) })).json() as Promise<
      Record<string, unknown>
    >;

  it('signs interactions with the key it publishes (timestamp + body, hex)', async () => {
    const record = await post('/_emulator/interactions', { type: 'ping' });
    expect(record.response).toEqual({ type: 1 });
    const req = seen.at(-1)!;
    expect(req.path).toBe('/interactions');
    const raw = Buffer.from(emu.webhooks().discordPublicKey, 'hex');
    const key = createPublicKey({
      key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), raw]),
      format: 'der',
      type: 'spki',
    });
    const message = Buffer.from(String(req.headers['x-signature-timestamp']) + req.body);
    expect(verify(null, message, key, Buffer.from(String(req.headers['x-signature-ed25519']), 'hex'))).toBe(true);
    expect(
      verify(
        null,
        Buffer.from(message.toString() + ' '),
        key,
        Buffer.from(String(req.headers['x-signature-ed25519']), 'hex'),
      ),
    ).toBe(false);
  });

  it('derives the QQ key as QQ documents it (the published op 13 example)', () => {
    expect(qqSigningKey('DG5g3B4j9X2KOErG').sign('1725442341Arq0D5A61EgUu4OxUvOp')).toBe(
      '87befc99c42c651b3aac0278e71ada338433ae26fcb24307bdc5ad38c1adc2d01bcfcadc0842edac85e85205028a1132afe09280305f13aa6909ffc2d652c706',
    );
  });

  it('checks the op 13 answer and reports a wrong one', async () => {
    answer = () => ({ plain_token: 'wrong', signature: '00' });
    const result = await post('/_emulator/qq/validate');
    expect(result).toMatchObject({ ok: false, reason: 'plain_token not echoed' });
  });

  it('enforces QQ reply rules: token, msg_id of a delivered message, no repeated msg_seq', async () => {
    answer = () => ({ op: 12, d: 0 });
    const said = (await post('/_emulator/qq/say', { content: 'hi' })) as {
      event: { acked: boolean };
      message: { id: string; group_openid: string };
    };
    expect(said.event.acked).toBe(true);
    const token = (await post('/qq/app/getAppAccessToken', {
      appId: emu.webhooks().qqAppId,
      clientSecret: 'DG5g3B4j9X2KOErG',
    })) as { access_token: string; expires_in: string };
    expect(token.expires_in).toBe('7200');
    const send = (body: unknown, auth = `QQBot ${token.access_token}`) =>
      fetch(`${emu.url}/qq/api/v2/groups/${said.message.group_openid}/messages`, {
        method: 'POST',
        headers: { authorization: auth },
        body: JSON.stringify(body),
      }).then(async (r) => [r.status, await r.json()] as const);
    expect((await send({ content: 'a', msg_type: 0, msg_id: said.message.id }, 'QQBot nope'))[0]).toBe(401);
    expect((await send({ content: 'a', msg_type: 0, msg_id: said.message.id }))[0]).toBe(200);
    expect(await send({ content: 'b', msg_type: 0, msg_id: said.message.id })).toEqual([
      400,
      expect.objectContaining({ code: 40054005 }),
    ]);
    expect((await send({ content: 'b', msg_type: 0, msg_id: said.message.id, msg_seq: 2 }))[0]).toBe(200);
    expect(await send({ content: 'c', msg_type: 0, msg_id: 'not-delivered' })).toEqual([
      400,
      expect.objectContaining({ code: 40034024 }),
    ]);
    expect(await send({ content: 'c', msg_type: 0 })).toEqual([400, expect.objectContaining({ code: 11255 })]);
  });
});
