// 5xx answers: idempotent requests are sent again after a backoff (at most twice), others are answered as is.
import { describe, expect, it } from 'vitest';
import type { LimitedResponse } from '../../workers/rest/headers.ts';
import { RateLimiter } from '../../workers/rest/limiter.ts';
import { MAX_SERVER_ERROR_RETRIES, retryServerError, serverErrorBackoffMs } from '../../workers/rest/retry.ts';
import { FakeClock } from './rest-clock.ts';

const answer = (status: number): LimitedResponse => ({
  status,
  header: () => null,
  body: status >= 500 ? '{"message":"500: Internal Server Error","code":0}' : '{}',
});

describe('retryServerError', () => {
  const rows: [method: string, status: number, retried: boolean][] = [
    ['GET', 500, true],
    ['GET', 502, true],
    ['PUT', 503, true],
    ['DELETE', 504, true],
    ['PATCH', 500, true],
    ['HEAD', 500, true],
    ['POST', 500, false],
    ['GET', 404, false],
    ['GET', 429, false],
  ];
  for (const [method, status, retried] of rows) {
    it(`${method} answered ${status} is ${retried ? '' : 'not '}retried`, () => {
      expect(retryServerError(method, status, 0)).toBe(retried);
    });
  }

  it(`gives up after ${MAX_SERVER_ERROR_RETRIES} retries, backing off 250 ms then 1 s`, () => {
    expect(retryServerError('GET', 500, MAX_SERVER_ERROR_RETRIES)).toBe(false);
    expect([serverErrorBackoffMs(0), serverErrorBackoffMs(1)]).toEqual([250, 1000]);
  });
});

describe('RateLimiter and 5xx', () => {
  it('sends an idempotent request again after the backoff and answers the success', async () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter({ globalPerSecond: 50, now: clock.time, setTimer: clock.setTimer });
    const sentAt: number[] = [];
    const outcome = await clock.run(
      limiter.schedule(
        'PUT',
        '/channels/111111111111111111/messages/222222222222222222/reactions/%F0%9F%91%8D/@me',
        async () => {
          sentAt.push(clock.now);
          return answer(sentAt.length < 3 ? 502 : 204);
        },
      ),
    );
    expect(outcome.kind === 'response' && outcome.response.status).toBe(204);
    expect(sentAt.map((t) => t - sentAt[0]!)).toEqual([0, 250, 1250]);
    expect(limiter.stats.serverErrorRetries).toBe(2);
  });

  it('answers the last 5xx after two retries, and never retries a POST', async () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter({ globalPerSecond: 50, now: clock.time, setTimer: clock.setTimer });
    let gets = 0;
    const get = await clock.run(limiter.schedule('GET', '/users/@me', async () => (gets++, answer(500))));
    expect(get.kind === 'response' && get.response.status).toBe(500);
    expect(gets).toBe(1 + MAX_SERVER_ERROR_RETRIES);
    let posts = 0;
    const post = await clock.run(
      limiter.schedule('POST', '/channels/111111111111111111/messages', async () => (posts++, answer(500))),
    );
    expect(post.kind === 'response' && post.response.status).toBe(500);
    expect(posts).toBe(1);
  });
});
