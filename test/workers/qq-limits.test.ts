// QQ's frequency rules as data, one row each, and the limiter that applies them (fake clock).
import { describe, expect, it } from 'vitest';
import { QQ_RATE_RULES, qqRouteKey, qqRulesFor } from '../../workers/rest/qq-limits.ts';
import { QQRateLimiter } from '../../workers/rest/qq-limiter.ts';

describe('QQ route keys', () => {
  it.each([
    ['POST', '/v2/groups/G1/messages', 'POST /v2/groups/:id/messages', 'G1'],
    ['DELETE', '/v2/users/U1/messages/M1', 'DELETE /v2/users/:id/messages/:id', 'U1'],
    ['GET', '/channels/123/messages?limit=2', 'GET /channels/:id/messages', '123'],
    ['PUT', '/channels/1/messages/2/reactions/1/4', 'PUT /channels/:id/messages/:id/reactions/:id/:id', '1'],
    ['GET', '/users/@me/guilds', 'GET /users/@me/guilds', 'app'],
    ['PATCH', '/guilds/9/members/8/mute', 'PATCH /guilds/:id/members/:id/mute', '9'],
    ['GET', '/gateway/bot', 'GET /gateway/bot', 'app'],
  ])('%s %s → %s (major %s)', (method, path, route, major) => {
    expect(qqRouteKey(method, path)).toEqual({ route, major });
  });
});

describe('QQ rate rules (one row each)', () => {
  const cases: [string, string, string[]][] = [
    ['POST', '/v2/groups/G/messages', ['v2 messages (group + C2C)', 'every call']],
    ['POST', '/v2/users/U/messages', ['v2 messages (group + C2C)', 'every call']],
    ['POST', '/channels/C/messages', ['channel messages:C', 'every call']],
    ['POST', '/dms/D/messages', ['guild DM messages:D', 'every call']],
    ['POST', '/v2/groups/G/files', ['rich-media uploads:G', 'every call']],
    ['GET', '/guilds/1', ['every call']],
  ];
  it('every rule is exercised below', () => {
    const named = new Set(cases.flatMap(([, , keys]) => keys.map((k) => k.split(':')[0])));
    expect(QQ_RATE_RULES.map((r) => r.name).filter((n) => !named.has(n))).toEqual([]);
  });
  it.each(cases)('%s %s → %o', (method, path, counters) => {
    expect(qqRulesFor(qqRouteKey(method, path)).map((r) => r.counter)).toEqual(counters);
  });
  it('every rule says where its number comes from', () => {
    for (const r of QQ_RATE_RULES) expect(r.source.length > 10).toBe(true);
  });
});

describe('QQRateLimiter', () => {
  function fake() {
    let now = 0;
    const slept: number[] = [];
    const limiter = new QQRateLimiter({
      now: () => now,
      sleep: async (ms) => {
        slept.push(ms);
        now += ms;
      },
    });
    return { limiter, slept, at: () => now };
  }

  it('lets 5 channel messages go at once and holds the 6th until the first leaves the window', async () => {
    const t = fake();
    for (let i = 0; i < 5; i++) (await t.limiter.acquire('POST', '/channels/C/messages'))();
    expect(t.limiter.predictMs('POST', '/channels/C/messages')).toBe(1_000);
    expect(t.limiter.predictMs('POST', '/channels/D/messages')).toBe(0);
    await t.limiter.acquire('POST', '/channels/C/messages');
    expect(t.slept).toEqual([1_000]);
  });

  it('counts a send from its answer: a slow answer pushes the window', async () => {
    const t = fake();
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push(await t.limiter.acquire('POST', '/channels/C/messages'));
    await t.limiter.acquire('GET', '/guilds/1'); // unrelated
    answers.forEach((a) => a());
    expect(t.limiter.predictMs('POST', '/channels/C/messages')).toBe(1_000);
  });

  it('a pause after a frequency-limit answer holds the channel, not the app', async () => {
    const t = fake();
    t.limiter.pause('POST', '/channels/C/messages', 2_000);
    expect(t.limiter.predictMs('POST', '/channels/C/messages')).toBe(2_000);
    expect(t.limiter.predictMs('POST', '/channels/D/messages')).toBe(0);
  });
});

describe('QQ API base on the Worker', () => {
  it('QQ_SANDBOX=on switches to the sandbox; QQ_API_URL wins; the default is production', async () => {
    const { qqApiUrl } = await import('../../workers/rest/qq-proxy.ts');
    expect(qqApiUrl({})).toBe('https://api.sgroup.qq.com');
    expect(qqApiUrl({ QQ_SANDBOX: 'on' })).toBe('https://sandbox.api.sgroup.qq.com');
    expect(qqApiUrl({ QQ_SANDBOX: 'on', QQ_API_URL: 'http://127.0.0.1:1/qq/api/' })).toBe('http://127.0.0.1:1/qq/api');
  });
});
