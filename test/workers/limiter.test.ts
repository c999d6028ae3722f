import { describe, expect, it } from 'vitest';
import { RateLimiter, type LimitedResponse } from '../../workers/rest/limiter.ts';
import { exemptFromGlobal, routeKey } from '../../workers/rest/routes.ts';

/** A fake clock whose sleep advances time at once, so limiter tests do not wait. */
function fakeClock() {
  let now = 1_000_000;
  const sleeps: number[] = [];
  return {
    now: () => now,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      now += ms;
    },
    sleeps,
    advance: (ms: number) => (now += ms),
  };
}

function response(status: number, headers: Record<string, string>, body = ''): LimitedResponse {
  return { status, header: (n) => headers[n.toLowerCase()] ?? null, body };
}

describe('routeKey', () => {
  const rows: [string, string, string, string][] = [
    ['POST', '/channels/111111111111111111/messages', 'POST /channels/:id/messages', '111111111111111111'],
    ['DELETE', '/channels/111111111111111111/messages/222222222222222222', 'DELETE /channels/:id/messages/:id', '111111111111111111'],
    ['PUT', '/channels/111111111111111111/messages/222222222222222222/reactions/%F0%9F%91%8D/@me', 'PUT /channels/:id/messages/:id/reactions/:emoji/@me', '111111111111111111'],
    ['GET', '/guilds/333333333333333333/members/444444444444444444', 'GET /guilds/:id/members/:id', '333333333333333333'],
    ['POST', '/webhooks/555555555555555555/tok-en', 'POST /webhooks/:id/:token', '555555555555555555/tok-en'],
    ['GET', '/gateway/bot', 'GET /gateway/bot', 'global'],
  ];
  for (const [method, path, route, major] of rows) {
    it(`${method} ${path}`, () => {
      expect(routeKey(method, path)).toEqual({ route, major });
    });
  }

  it('exempts interaction callbacks and webhooks from the global limit', () => {
    expect(exemptFromGlobal('/interactions/123/tok/callback')).toBe(true);
    expect(exemptFromGlobal('/webhooks/123/tok')).toBe(true);
    expect(exemptFromGlobal('/channels/123/messages')).toBe(false);
  });
});

describe('RateLimiter', () => {
  it('waits for the bucket reset once the headers say it is empty', async () => {
    const clock = fakeClock();
    const limiter = new RateLimiter({ globalPerSecond: 50, ...clock });
    const key = routeKey('POST', '/channels/111111111111111111/messages');
    const sentAt: number[] = [];
    const send = async () => {
      sentAt.push(clock.now());
      const remaining = sentAt.length % 2 === 1 ? '1' : '0';
      return response(200, { 'x-ratelimit-remaining': remaining, 'x-ratelimit-reset-after': '2.5', 'x-ratelimit-bucket': 'abc' });
    };
    await Promise.all([1, 2, 3].map(() => limiter.schedule(key, '/channels/111111111111111111/messages', send)));
    expect(sentAt[1]! - sentAt[0]!).toBe(0);
    expect(sentAt[2]! - sentAt[1]!).toBe(2500);
  });

  it('keeps different major parameters apart', async () => {
    const clock = fakeClock();
    const limiter = new RateLimiter({ globalPerSecond: 50, ...clock });
    const empty = async () => response(200, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset-after': '10', 'x-ratelimit-bucket': 'abc' });
    await limiter.schedule(routeKey('POST', '/channels/111111111111111111/messages'), '/x', empty);
    await limiter.schedule(routeKey('POST', '/channels/222222222222222222/messages'), '/x', empty);
    expect(clock.sleeps).toEqual([]);
  });

  it('never sends more than the global limit in any second', async () => {
    const clock = fakeClock();
    const limiter = new RateLimiter({ globalPerSecond: 5, ...clock });
    const sentAt: number[] = [];
    const ok = async () => {
      sentAt.push(clock.now());
      return response(200, {});
    };
    await Promise.all(Array.from({ length: 12 }, (_, i) => limiter.schedule(routeKey('GET', `/users/${100000000000000000 + i}`), '/users/x', ok)));
    for (const t of sentAt) expect(sentAt.filter((u) => u >= t && u < t + 1000).length).toBeLessThanOrEqual(5);
    expect(sentAt).toHaveLength(12);
  });

  it('retries a 429 after retry_after and counts it by scope', async () => {
    const clock = fakeClock();
    const limiter = new RateLimiter({ globalPerSecond: 50, ...clock });
    let calls = 0;
    const res = await limiter.schedule(routeKey('POST', '/channels/111111111111111111/messages'), '/x', async () =>
      ++calls === 1 ? response(429, { 'x-ratelimit-scope': 'user', 'retry-after': '2' }, '{"retry_after":1.5,"global":false}') : response(200, {}),
    );
    expect(res.status).toBe(200);
    expect(clock.sleeps).toEqual([1500]);
    expect(limiter.stats.ratelimited).toEqual({ user: 1, global: 0, shared: 0 });
  });

  it('pauses every route on a global 429', async () => {
    const clock = fakeClock();
    const limiter = new RateLimiter({ globalPerSecond: 50, ...clock });
    let first = true;
    await limiter.schedule(routeKey('GET', '/users/100000000000000000'), '/users/1', async () => {
      if (!first) return response(200, {});
      first = false;
      return response(429, { 'x-ratelimit-scope': 'global', 'x-ratelimit-global': 'true' }, '{"retry_after":3,"global":true}');
    });
    expect(limiter.stats.ratelimited.global).toBe(1);
    expect(clock.sleeps).toEqual([3000]);
  });
});
