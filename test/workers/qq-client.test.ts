// The QQ OpenAPI client over an injected transport: token fetched once and shared, refreshed in its last
// minute, `QQBot` authorization, one retry after a 401, errors that name the fix and not the secret.
import { describe, expect, it } from 'vitest';
import { QQOpenApi } from '../../workers/qq/client.ts';
import { QQTokenSource } from '../../workers/qq/token.ts';
import type { QQTransport, TransportRequest } from '../../workers/qq/transport.ts';

function fakeQQ(opts: { expiresIn?: number; apiStatus?: number[] } = {}) {
  const calls: { url: string; init: TransportRequest }[] = [];
  let tokens = 0;
  const statuses = [...(opts.apiStatus ?? [])];
  const transport: QQTransport = async (url, init) => {
    calls.push({ url, init });
    if (url.endsWith('/getAppAccessToken')) {
      tokens++;
      return {
        status: 200,
        text: async () => JSON.stringify({ access_token: `tok${tokens}`, expires_in: String(opts.expiresIn ?? 7200) }),
      };
    }
    const status = statuses.shift() ?? 200;
    return {
      status,
      text: async () =>
        status === 200 ? '{"id":"m1","timestamp":1}' : '{"code":11244,"message":"token not exist or expire"}',
    };
  };
  let now = 1_000_000;
  const tokensSource = new QQTokenSource({
    url: 'http://qq/app/getAppAccessToken',
    appId: 'app',
    appSecret: 'shh-secret',
    transport,
    now: () => now,
  });
  const api = new QQOpenApi({ apiUrl: 'http://qq/api/', appId: 'app', tokens: tokensSource, transport });
  return {
    api,
    calls,
    advance: (ms: number) => (now += ms),
    tokenCalls: () => calls.filter((c) => c.url.endsWith('/getAppAccessToken')).length,
  };
}

const groupMessage = { id: 'MSG1', author: { member_openid: 'M' }, content: ' hi', timestamp: 't', group_openid: 'G1' };

describe('QQOpenApi', () => {
  it('fetches one token for concurrent calls and sends it as QQBot authorization', async () => {
    const qq = fakeQQ();
    await Promise.all([qq.api.replyGroup(groupMessage, 'a'), qq.api.replyGroup(groupMessage, 'b', 2)]);
    expect(qq.tokenCalls()).toBe(1);
    const tokenCall = qq.calls.find((c) => c.url.endsWith('/getAppAccessToken'))!;
    expect(JSON.parse(tokenCall.init.body!)).toEqual({ appId: 'app', clientSecret: 'shh-secret' });
    const sends = qq.calls.filter((c) => c.url.includes('/v2/groups/'));
    expect(sends.map((c) => [c.url, c.init.method, c.init.headers.authorization, JSON.parse(c.init.body!)])).toEqual([
      [
        'http://qq/api/v2/groups/G1/messages',
        'POST',
        'QQBot tok1',
        { content: 'a', msg_type: 0, msg_id: 'MSG1', msg_seq: 1 },
      ],
      [
        'http://qq/api/v2/groups/G1/messages',
        'POST',
        'QQBot tok1',
        { content: 'b', msg_type: 0, msg_id: 'MSG1', msg_seq: 2 },
      ],
    ]);
  });

  it('refreshes the token within its last minute', async () => {
    const qq = fakeQQ({ expiresIn: 120 });
    await qq.api.ackInteraction('i1');
    qq.advance(30_000);
    await qq.api.ackInteraction('i2');
    expect(qq.tokenCalls()).toBe(1);
    qq.advance(31_000);
    await qq.api.ackInteraction('i3');
    expect(qq.tokenCalls()).toBe(2);
    expect(qq.calls.at(-1)!.init.headers.authorization).toBe('QQBot tok2');
  });

  it('fetches a new token once after a 401, then reports a persisting error with its code', async () => {
    const retried = fakeQQ({ apiStatus: [401] });
    await retried.api.sendC2CMessage('U1', { content: 'x', msg_type: 0 });
    expect(retried.tokenCalls()).toBe(2);

    const failing = fakeQQ({ apiStatus: [500] });
    const err = await failing.api.sendChannelMessage('C1', { content: 'x' }).then(
      () => new Error('resolved'),
      (e: unknown) => e as Error,
    );
    expect(err.message).toMatch(/QQ answered 500 to POST \/channels\/C1\/messages: code 11244/);
    expect(err.message).not.toContain('shh-secret');
  });

  it('names the settings when the token endpoint refuses', async () => {
    const transport: QQTransport = async () => ({
      status: 401,
      text: async () => '{"message":"invalid appid or secret"}',
    });
    const source = new QQTokenSource({ url: 'http://qq/token', appId: 'a', appSecret: 'shh-secret', transport });
    const err = await source.get().then(
      () => new Error('resolved'),
      (e: unknown) => e as Error,
    );
    expect(err.message).toMatch(/QQ_APP_ID \/ QQ_APP_SECRET/);
    expect(err.message).not.toContain('shh-secret');
  });
});
