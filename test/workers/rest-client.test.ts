// DiscordRest, the client under ctx.api and ctx.rest: the request it hands the REST proxy (query, reason,
// files, form fields) and the typed errors it makes of the answers.
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, RateLimitedError } from '../../protocol/index.ts';
import { discordApi } from '../../workers/rest/api.ts';
import { DiscordRest } from '../../workers/rest/client.ts';
import { DiscordApiError } from '../../workers/rest/errors.ts';
import type { RestRequest, RestResponse } from '../../workers/rest/types.ts';

function recording(answer: Partial<RestResponse> = {}) {
  const requests: RestRequest[] = [];
  const logged: { msg: string; fields?: Record<string, unknown> }[] = [];
  const rest = new DiscordRest(
    {
      request: async (req) => {
        requests.push(req);
        return { status: 200, headers: {}, body: '{}', ...answer };
      },
    },
    { warn: (msg, fields) => void logged.push({ msg, ...(fields ? { fields } : {}) }) },
  );
  return { rest, requests, logged };
}

describe('DiscordRest requests', () => {
  it('puts the query on the path and the audit-log reason, URI-encoded, in its header', async () => {
    const { rest, requests } = recording({ body: '[]' });
    await discordApi(rest).guilds.getMembers('42', { limit: 5, after: '7' });
    await discordApi(rest).guilds.banUser('42', '9', { delete_message_seconds: 60 }, { reason: 'spam & scam' });
    expect(requests.map((r) => [r.method, r.path, r.headers?.['x-audit-log-reason'], r.body])).toEqual([
      ['GET', '/guilds/42/members?limit=5&after=7', undefined, undefined],
      ['PUT', '/guilds/42/bans/9', 'spam%20%26%20scam', '{"delete_message_seconds":60}'],
    ]);
  });

  it('sends files as RestFile parts with files[n] fields, the JSON as body (payload_json)', async () => {
    const { rest, requests } = recording();
    await discordApi(rest).channels.createMessage('1', {
      content: 'c',
      files: [
        { name: 'a.txt', data: 'hi' },
        { name: 'b.bin', data: new Uint8Array([1]), contentType: 'application/x-b' },
      ],
    });
    const [req] = requests;
    expect(req!.body).toBe('{"content":"c"}');
    expect(req!.files!.map((f) => [f.field, f.filename, f.contentType, [...f.bytes]])).toEqual([
      ['files[0]', 'a.txt', undefined, [104, 105]],
      ['files[1]', 'b.bin', 'application/x-b', [1]],
    ]);
  });

  it('sends the body as form fields with appendToFormData (Create Guild Sticker)', async () => {
    const { rest, requests } = recording();
    await discordApi(rest).guilds.createSticker('1', {
      name: 'n',
      description: 'd',
      tags: 't',
      file: { name: 's.png', data: 'x' },
    });
    expect(requests[0]!.form).toEqual({ name: 'n', description: 'd', tags: 't' });
    expect(requests[0]!.body).toBe(undefined);
    expect(requests[0]!.files!.map((f) => f.field)).toEqual(['file']);
  });
});

describe('DiscordRest errors', () => {
  it("makes Discord's answer a DiscordApiError with its code, message and field errors, logged without tokens", async () => {
    const body = JSON.stringify({
      code: 50035,
      message: 'Invalid Form Body',
      errors: { content: { _errors: [{ code: 'X' }] } },
    });
    const { rest, logged } = recording({ status: 400, body });
    const err = await rest.send('POST', '/webhooks/1/secret-token', { body: {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DiscordApiError);
    expect(err).toMatchObject({ status: 400, discordCode: 50035, errors: { content: { _errors: [{ code: 'X' }] } } });
    expect(logged).toEqual([
      {
        msg: 'discord call failed',
        fields: {
          method: 'POST',
          route: '/webhooks/1/:token',
          status: 400,
          code: ERROR_CODES.UPSTREAM_HTTP,
          discordCode: 50035,
        },
      },
    ]);
  });

  it("keeps the proxy's refusals typed: RateLimitedError with the wait, TOKEN_REJECTED", async () => {
    const limited = recording({
      status: 429,
      headers: { 'x-edgeshard-error': 'rate_limited' },
      body: JSON.stringify({ message: 'would wait 4000 ms', retry_after: 4 }),
    });
    const e1 = await limited.rest.get('/users/@me', { maxWaitMs: 10 }).catch((e: unknown) => e);
    expect(e1).toBeInstanceOf(RateLimitedError);
    expect(e1).toMatchObject({ code: ERROR_CODES.RATE_LIMITED, retryAfterMs: 4000 });
    expect(limited.requests[0]!.maxWaitMs).toBe(10);
    const rejected = recording({
      status: 401,
      headers: { 'x-edgeshard-error': 'token_rejected' },
      body: '{"message":"token rejected"}',
    });
    const e2 = await rejected.rest.get('/users/@me').catch((e: unknown) => e);
    expect(e2).toMatchObject({ code: ERROR_CODES.TOKEN_REJECTED, message: 'GET /users/@me: token rejected' });
  });
});
