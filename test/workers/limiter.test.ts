import { describe, expect, it } from 'vitest';
import { RateLimiter, type LimitedResponse } from '../../workers/rest/limiter.ts';
import { exemptFromGlobal, routeKey, usesBotToken, webhookOf } from '../../workers/rest/routes.ts';
import { FakeClock } from './rest-clock.ts';

function response(status: number, headers: Record<string, string>, body = ''): LimitedResponse {
  return { status, header: (n) => headers[n.toLowerCase()] ?? null, body };
}

/**
 * The arithmetic of one Discord bucket as its headers describe it (a fixed window starting with the first
 * request), with latency on both legs, so the limiter is tested against when requests *arrive*.
 */
function modelBucket(
  clock: FakeClock,
  opts: { limit: number; windowMs: number; hash?: string; latency?: (i: number) => [number, number] },
) {
  let resetAt = 0;
  let used = 0;
  const arrivals: number[] = [];
  const over: number[] = [];
  let i = 0;
  const send = async (): Promise<LimitedResponse> => {
    const [there, back] = opts.latency?.(i++) ?? [2, 2];
    await clock.sleep(there);
    const now = clock.now;
    arrivals.push(now);
    if (now >= resetAt) {
      resetAt = now + opts.windowMs;
      used = 0;
    }
    used++;
    if (used > opts.limit) over.push(now);
    const headers = {
      'x-ratelimit-limit': String(opts.limit),
      'x-ratelimit-remaining': String(Math.max(0, opts.limit - used)),
      'x-ratelimit-reset': (resetAt / 1000).toFixed(3),
      'x-ratelimit-reset-after': ((resetAt - now) / 1000).toFixed(3),
      'x-ratelimit-bucket': opts.hash ?? 'abc',
    };
    await clock.sleep(back);
    return response(200, headers);
  };
  return { send, arrivals, over };
}

const CHANNEL = '111111111111111111';
const path = `/channels/${CHANNEL}/messages`;

describe('routeKey', () => {
  const now = Date.UTC(2026, 0, 1);
  const rows: [string, string, string, string][] = [
    ['POST', `/channels/${CHANNEL}/messages`, 'POST /channels/:id/messages', CHANNEL],
    ['PATCH', `/channels/${CHANNEL}/messages/1449570000000000000`, 'PATCH /channels/:id/messages/:id', CHANNEL],
    // A message from 2021 is older than two weeks: its own bucket.
    ['DELETE', `/channels/${CHANNEL}/messages/900000000000000000`, 'DELETE /channels/:id/messages/:id (old)', CHANNEL],
    [
      'PUT',
      `/channels/${CHANNEL}/messages/222222222222222222/reactions/%F0%9F%91%8D/@me`,
      'PUT /channels/:id/messages/:id/reactions/:emoji/@me',
      CHANNEL,
    ],
    [
      'PUT',
      `/channels/${CHANNEL}/messages/222222222222222222/reactions/name:333333333333333333/@me`,
      'PUT /channels/:id/messages/:id/reactions/:emoji/@me',
      CHANNEL,
    ],
    [
      'GET',
      '/guilds/333333333333333333/members/444444444444444444',
      'GET /guilds/:id/members/:id',
      '333333333333333333',
    ],
    [
      'PATCH',
      '/guilds/333333333333333333/emojis/555555555555555555',
      'PATCH /guilds/:id/emojis/:id',
      '333333333333333333',
    ],
    ['POST', '/webhooks/555555555555555555/tok-en?wait=true', 'POST /webhooks/:id/:token', '555555555555555555/tok-en'],
    [
      'PATCH',
      '/webhooks/555555555555555555/tok-en/messages/@original',
      'PATCH /webhooks/:id/:token/messages/@original',
      '555555555555555555/tok-en',
    ],
    [
      'POST',
      '/interactions/666666666666666666/itoken/callback',
      'POST /interactions/:id/:token/callback',
      '666666666666666666/itoken',
    ],
    ['GET', '/invites/abcdef', 'GET /invites/:code', 'global'],
    ['GET', '/gateway/bot', 'GET /gateway/bot', 'global'],
  ];
  for (const [method, p, route, major] of rows) {
    it(`${method} ${p}`, () => {
      expect(routeKey(method, p, now)).toEqual({ route, major });
    });
  }

  const exempt: [string, boolean][] = [
    ['/interactions/123/tok/callback', true],
    ['/webhooks/123/tok', true],
    ['/webhooks/123/tok/messages/@original', true],
    ['/webhooks/123', false],
    ['/channels/123/messages', false],
  ];
  for (const [p, yes] of exempt) {
    it(`${p} is ${yes ? '' : 'not '}exempt from the global limit and ${yes ? 'needs no' : 'needs the'} bot token`, () => {
      expect(exemptFromGlobal(p)).toBe(yes);
      expect(usesBotToken(p)).toBe(!yes);
    });
  }

  it('names the webhook of a webhook route', () => {
    expect(webhookOf('/webhooks/123/tok/messages/1')).toBe('123/tok');
    expect(webhookOf('/channels/1/webhooks')).toBeUndefined();
  });
});

describe('RateLimiter buckets', () => {
  it('sends up to `remaining` at once once the bucket is known, and never more than the limit per window', async () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter({ globalPerSecond: 50, now: clock.time, setTimer: clock.setTimer });
    const bucket = modelBucket(clock, { limit: 5, windowMs: 5000, latency: (i) => [1 + (i % 3) * 7, 1 + (i % 5) * 5] });
    const all = Promise.all(Array.from({ length: 23 }, () => limiter.schedule('POST', path, bucket.send)));
    const outcomes = await clock.run(all);
    expect(outcomes.every((o) => o.kind === 'response')).toBe(true);
    expect(bucket.over).toEqual([]);
    // 23 requests at 5 per 5 s: the first learns the bucket, so the last window starts 20 s after the first.
    const span = bucket.arrivals.at(-1)! - bucket.arrivals[0]!;
    expect(span).toBeGreaterThanOrEqual(20_000);
    expect(span).toBeLessThan(20_000 * 1.05);
    // The four after the first go together, not one round trip after another.
    expect(bucket.arrivals[4]! - bucket.arrivals[1]!).toBeLessThan(20);
  });

  it('keeps different major parameters apart', async () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter({ globalPerSecond: 50, now: clock.time, setTimer: clock.setTimer });
    const a = modelBucket(clock, { limit: 1, windowMs: 10_000 });
    const b = modelBucket(clock, { limit: 1, windowMs: 10_000 });
    await clock.run(
      Promise.all([
        limiter.schedule('POST', path, a.send),
        limiter.schedule('POST', '/channels/222222222222222222/messages', b.send),
      ]),
    );
    expect(clock.now - 1_700_000_000_000).toBeLessThan(100);
  });

  it('joins routes that share a bucket hash once it is learned', async () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter({ globalPerSecond: 50, now: clock.time, setTimer: clock.setTimer });
    const shared = modelBucket(clock, { limit: 2, windowMs: 1000, hash: 'same' });
    const p1 = `/channels/${CHANNEL}/messages/222222222222222222`;
    // Learn both routes first, then a burst across both must respect the one shared bucket.
    await clock.run(limiter.schedule('PATCH', p1, shared.send));
    await clock.run(limiter.schedule('GET', p1, shared.send));
    shared.over.length = 0;
    const burst = [
      ...Array.from({ length: 5 }, () => limiter.schedule('PATCH', p1, shared.send)),
      ...Array.from({ length: 5 }, () => limiter.schedule('GET', p1, shared.send)),
    ];
    await clock.run(Promise.all(burst));
    expect(shared.over).toEqual([]);
    expect(limiter.stats.buckets).toBe(1);
  });

  it('sweeps idle buckets', async () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter({ globalPerSecond: 50, now: clock.time, setTimer: clock.setTimer, idleMs: 1000 });
    const bucket = modelBucket(clock, { limit: 5, windowMs: 500 });
    await clock.run(limiter.schedule('POST', path, bucket.send));
    expect(limiter.stats.buckets).toBe(1);
    await clock.run(clock.sleep(5000));
    await clock.run(limiter.schedule('GET', '/gateway/bot', async () => response(200, {})));
    expect(limiter.stats.buckets).toBe(1); // only the new one
  });
});

describe('RateLimiter global limit', () => {
  it('never lets more than the limit arrive in any 1-second interval, whatever the latency', async () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter({ globalPerSecond: 10, now: clock.time, setTimer: clock.setTimer });
    const arrivals: number[] = [];
    const send = (i: number) => async () => {
      // Early requests are slow to arrive, later ones fast: the worst case for counting at send time alone.
      await clock.sleep(i < 10 ? 300 : 1);
      arrivals.push(clock.now);
      await clock.sleep(5);
      return response(200, {});
    };
    const all = Array.from({ length: 45 }, (_, i) =>
      limiter.schedule('GET', `/channels/${100000000000000000n + BigInt(i)}`, send(i)),
    );
    await clock.run(Promise.all(all));
    arrivals.sort((a, b) => a - b);
    for (const t of arrivals) expect(arrivals.filter((u) => u >= t && u < t + 1000).length).toBeLessThanOrEqual(10);
    expect(arrivals).toHaveLength(45);
  });

  it('does not count interaction callbacks and webhooks against it', async () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter({ globalPerSecond: 2, now: clock.time, setTimer: clock.setTimer });
    const ok = async () => response(200, {});
    await clock.run(
      Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          limiter.schedule('POST', `/interactions/${100000000000000000n + BigInt(i)}/tok/callback`, ok),
        ),
      ),
    );
    expect(clock.now - 1_700_000_000_000).toBe(0);
  });
});

describe('RateLimiter 429 by scope', () => {
  it('retries a user 429 after retry_after and counts it', async () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter({ globalPerSecond: 50, now: clock.time, setTimer: clock.setTimer });
    let calls = 0;
    const sentAt: number[] = [];
    const outcome = await clock.run(
      limiter.schedule('POST', path, async () => {
        sentAt.push(clock.now);
        return ++calls === 1
          ? response(429, { 'x-ratelimit-scope': 'user', 'retry-after': '2' }, '{"retry_after":1.5,"global":false}')
          : response(200, {});
      }),
    );
    expect(outcome.kind === 'response' && outcome.response.status).toBe(200);
    expect(sentAt[1]! - sentAt[0]!).toBe(1500);
    expect(limiter.stats.ratelimited).toEqual({ user: 1, global: 0, shared: 0 });
    expect(limiter.guard.count(clock.now)).toBe(1);
  });

  it('retries a shared 429 without counting it as an invalid request', async () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter({ globalPerSecond: 50, now: clock.time, setTimer: clock.setTimer });
    let calls = 0;
    const outcome = await clock.run(
      limiter.schedule('PATCH', `/channels/${CHANNEL}`, async () =>
        ++calls === 1
          ? response(429, { 'x-ratelimit-scope': 'shared', 'retry-after': '1' }, '{"retry_after":0.4,"global":false}')
          : response(200, {}),
      ),
    );
    expect(outcome.kind === 'response' && outcome.response.status).toBe(200);
    expect(limiter.stats.ratelimited.shared).toBe(1);
    expect(limiter.guard.count(clock.now)).toBe(0);
  });

  it('pauses every route on a global 429', async () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter({ globalPerSecond: 50, now: clock.time, setTimer: clock.setTimer });
    let first = true;
    const sentAt: number[] = [];
    const send = async () => {
      sentAt.push(clock.now);
      if (!first) return response(200, {});
      first = false;
      return response(
        429,
        { 'x-ratelimit-scope': 'global', 'x-ratelimit-global': 'true' },
        '{"retry_after":3,"global":true}',
      );
    };
    const a = limiter.schedule('GET', '/users/100000000000000000', send);
    await clock.run(clock.sleep(1));
    const b = limiter.schedule('GET', '/users/100000000000000001', send);
    await clock.run(Promise.all([a, b]));
    expect(limiter.stats.ratelimited.global).toBe(1);
    expect(Math.min(sentAt[1]!, sentAt[2]!) - sentAt[0]!).toBeGreaterThanOrEqual(3000);
  });
});

describe('RateLimiter deadlines and the invalid-request guard', () => {
  it('refuses at once, with the wait, when the predicted wait exceeds maxWaitMs', async () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter({ globalPerSecond: 50, now: clock.time, setTimer: clock.setTimer });
    const bucket = modelBucket(clock, { limit: 1, windowMs: 5000 });
    await clock.run(limiter.schedule('POST', path, bucket.send));
    const before = clock.now;
    const outcome = await clock.run(limiter.schedule('POST', path, bucket.send, { maxWaitMs: 1000 }));
    expect(clock.now).toBe(before);
    expect(outcome).toMatchObject({ kind: 'refused', refusal: { code: 'rate_limited' } });
    if (outcome.kind === 'refused') expect(outcome.refusal.retryAfterMs).toBeGreaterThan(4000);
    const waited = await clock.run(limiter.schedule('POST', path, bucket.send, { maxWaitMs: 6000 }));
    expect(waited.kind).toBe('response');
  });

  it('sheds load before the threshold of 401/403/429 answers, counting requests in flight', async () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter({
      globalPerSecond: 50,
      invalidRequestLimit: 20,
      now: clock.time,
      setTimer: clock.setTimer,
    });
    let sent = 0;
    const forbidden = async () => {
      sent++;
      await clock.sleep(10);
      return response(
        403,
        {
          'x-ratelimit-remaining': '99',
          'x-ratelimit-reset-after': '1',
          'x-ratelimit-limit': '100',
          'x-ratelimit-reset': '1.000',
        },
        '{"code":50013}',
      );
    };
    const outcomes = await clock.run(
      Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          limiter.schedule('PUT', `/guilds/333333333333333333/bans/${400000000000000000n + BigInt(i)}`, forbidden),
        ),
      ),
    );
    expect(sent).toBe(20);
    expect(outcomes.filter((o) => o.kind === 'refused').map((o) => o.kind === 'refused' && o.refusal.code)).toEqual(
      Array(10).fill('invalid_request_guard'),
    );
  });

  it('stops every bot-token call after a 401, but not webhook calls', async () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter({ globalPerSecond: 50, now: clock.time, setTimer: clock.setTimer });
    const unauthorised = async () => response(401, {}, '{"message":"401: Unauthorized","code":0}');
    await clock.run(limiter.schedule('GET', '/users/@me', unauthorised));
    const next = await clock.run(limiter.schedule('POST', path, async () => response(200, {})));
    expect(next).toMatchObject({ kind: 'refused', refusal: { code: 'token_rejected' } });
    const hook = await clock.run(limiter.schedule('POST', '/webhooks/1/tok', async () => response(204, {})));
    expect(hook.kind).toBe('response');
  });

  it('does not call a webhook again after Discord called it unknown', async () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter({ globalPerSecond: 50, now: clock.time, setTimer: clock.setTimer });
    let calls = 0;
    const gone = async () => {
      calls++;
      return response(404, {}, '{"message":"Unknown Webhook","code":10015}');
    };
    await clock.run(limiter.schedule('POST', '/webhooks/1/tok', gone));
    const again = await clock.run(limiter.schedule('POST', '/webhooks/1/tok?wait=true', gone));
    expect(again).toMatchObject({ kind: 'refused', refusal: { code: 'webhook_gone' } });
    expect(calls).toBe(1);
    // A 404 for a message under a live webhook is not about the webhook.
    await clock.run(
      limiter.schedule('PATCH', '/webhooks/2/tok/messages/3', async () => response(404, {}, '{"code":10008}')),
    );
    expect((await clock.run(limiter.schedule('POST', '/webhooks/2/tok', async () => response(204, {})))).kind).toBe(
      'response',
    );
  });
});
