// The host's QQ access-token manager with a fake clock and a scripted token endpoint.
import { describe, expect, it } from 'vitest';
import type { FetchLike } from '../../../shard-host/net/http.ts';
import { QQTokenManager } from '../../../shard-host/qq/token.ts';
import { memoryLogger } from '../../../shard-host/log.ts';
import { FakeClock, flush } from '../gateway/fakes.ts';

function endpoint(answers: Array<[status: number, body: unknown]>) {
  const bodies: unknown[] = [];
  const fetch: FetchLike = async (_url, init) => {
    bodies.push(JSON.parse(init.body ?? 'null'));
    const [status, body] = answers.shift() ?? [500, { message: 'no more answers' }];
    return { status, text: async () => JSON.stringify(body) };
  };
  return { fetch, bodies };
}

function manager(fetch: FetchLike, clock = new FakeClock()) {
  return {
    clock,
    tokens: new QQTokenManager({
      url: 'https://bots.qq.test/app/getAppAccessToken',
      appId: '1',
      appSecret: 's',
      logger: memoryLogger(),
      fetch,
      clock,
    }),
  };
}

describe('QQTokenManager', () => {
  it('posts appId and clientSecret, caches the token, shares one request between callers', async () => {
    const e = endpoint([[200, { access_token: 'A', expires_in: '7200' }]]);
    const { tokens } = manager(e.fetch);
    const [a, b] = await Promise.all([tokens.start(), tokens.get()]);
    expect([a, b, await tokens.get()]).toEqual(['A', 'A', 'A']);
    expect(e.bodies).toEqual([{ appId: '1', clientSecret: 's' }]);
    tokens.stop();
  });

  it("refreshes in the background inside QQ's last-60-s window, keeping the old one until then", async () => {
    const e = endpoint([
      [200, { access_token: 'A', expires_in: '7200' }],
      [200, { access_token: 'B', expires_in: '7200' }],
    ]);
    const { tokens, clock } = manager(e.fetch);
    await tokens.start();
    await clock.advance(7_200_000 - 50_001);
    expect(await tokens.get()).toBe('A');
    await clock.advance(1);
    await flush();
    expect(tokens.stats).toMatchObject({ fetched: 2, refreshedInBackground: 1 });
    expect(await tokens.get()).toBe('B');
    expect(tokens.remainingMs()).toBe(7_200_000);
    tokens.stop();
  });

  it('invalidate() makes the next get() fetch a new token', async () => {
    const e = endpoint([
      [200, { access_token: 'A', expires_in: 7200 }],
      [200, { access_token: 'B', expires_in: 7200 }],
    ]);
    const { tokens } = manager(e.fetch);
    await tokens.start();
    tokens.invalidate();
    expect(await tokens.get()).toBe('B');
    expect(tokens.stats).toMatchObject({ fetched: 2, rejected: 1 });
    tokens.stop();
  });

  it('a refused secret is a configuration error that never echoes the secret', async () => {
    const e = endpoint([[401, { code: 100016, message: 'invalid appid or secret' }]]);
    const { tokens } = manager(e.fetch);
    const err = (await tokens.start().catch((x: unknown) => x)) as Error & { code: string };
    expect(err.code).toBe('config_invalid');
    expect(err.message).toBe(
      'QQ token endpoint answered 401 (invalid appid or secret): check QQ_APP_ID and QQ_APP_SECRET (QQ 开放平台 > 开发设置) and QQ_TOKEN_URL',
    );
  });

  it('a failed background refresh is retried while the current token is still valid', async () => {
    const e = endpoint([
      [200, { access_token: 'A', expires_in: '100' }],
      [502, { message: 'bad gateway' }],
      [200, { access_token: 'B', expires_in: '100' }],
    ]);
    const { tokens, clock } = manager(e.fetch);
    await tokens.start();
    await clock.advance(50_000);
    expect(tokens.stats).toMatchObject({ fetched: 1, failures: 1 });
    await clock.advance(5_000);
    expect(tokens.stats).toMatchObject({ fetched: 2, failures: 1 });
    expect(await tokens.get()).toBe('B');
    tokens.stop();
  });
});
