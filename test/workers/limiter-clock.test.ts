// The limiter places a bucket's reset and the moment Discord counted a request on the local clock from the
// responses' own headers (workers/rest/server-clock.ts): never early, whatever the clock skew or the delay on
// either leg, and without paying a slow answer's return trip each window.
import { describe, expect, it } from 'vitest';
import type { LimitedResponse } from '../../workers/rest/headers.ts';
import { RateLimiter } from '../../workers/rest/limiter.ts';
import { splitByDocumentedMajor } from '../../workers/rest/routes.ts';
import { ServerClock } from '../../workers/rest/server-clock.ts';
import { FakeClock } from './rest-clock.ts';

/** A seeded PRNG so the randomised cases are the same on every run. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A platform whose clock is `skewMs` ahead of ours: fixed-window buckets per channel and a sliding-second
 * global limit, both checked at arrival, like the emulator. Records arrivals and every excess.
 */
function platform(
  clock: FakeClock,
  opts: { skewMs: number; limit: number; windowMs: number; global: number; latency: (i: number) => [number, number] },
) {
  const windows = new Map<string, { resetAt: number; used: number }>();
  const arrivals: number[] = [];
  const byChannel = new Map<string, number[]>();
  const over: string[] = [];
  let i = 0;
  const send = (channel: string) => async (): Promise<LimitedResponse> => {
    const [there, back] = opts.latency(i++);
    await clock.sleep(there);
    const now = clock.now + opts.skewMs;
    const recent = arrivals.filter((t) => t > now - 1000).length;
    if (recent >= opts.global) over.push(`global at ${now}`);
    arrivals.push(now);
    let w = windows.get(channel);
    if (!w || now >= w.resetAt) windows.set(channel, (w = { resetAt: now + opts.windowMs, used: 0 }));
    if (++w.used > opts.limit) over.push(`bucket ${channel} at ${now}`);
    byChannel.set(channel, [...(byChannel.get(channel) ?? []), now]);
    const headers: Record<string, string> = {
      'x-ratelimit-limit': String(opts.limit),
      'x-ratelimit-remaining': String(Math.max(0, opts.limit - w.used)),
      'x-ratelimit-reset': (w.resetAt / 1000).toFixed(3),
      'x-ratelimit-reset-after': ((w.resetAt - now) / 1000).toFixed(3),
      'x-ratelimit-bucket': 'messages',
    };
    await clock.sleep(back);
    return { status: 200, header: (n) => headers[n.toLowerCase()] ?? null, body: '' };
  };
  return { send, arrivals, byChannel, over };
}

const channel = (i: number) => String(100000000000000000n + BigInt(i));

describe('ServerClock', () => {
  it('bounds the offset by the quickest answer and never places a server time early', () => {
    const clock = new ServerClock();
    const skew = -4321; // the server's clock is behind ours
    expect(clock.toLocal(1000, 5000, 0)).toBe(5000); // nothing learned yet: the fallback
    clock.observe(10_000 + 200, 10_000 + skew); // answered at 10 000 (ours), 200 ms back
    clock.observe(11_000 + 3, 11_000 + skew); // 3 ms back
    clock.observe(12_000 + 90, 12_000 + skew);
    const local = clock.toLocal(13_000 + skew, 20_000, 12_090);
    expect(local).toBeGreaterThanOrEqual(13_000);
    expect(local).toBeLessThanOrEqual(13_000 + 3 + 2 + 3); // the quickest return, rounding, drift since
    // The receipt-based value wins when it is sooner.
    expect(clock.toLocal(13_000 + skew, 13_001, 12_090)).toBe(13_001);
  });

  it('relaxes the bound over time, so a clock that drifts cannot make it early', () => {
    const clock = new ServerClock();
    clock.observe(1_000, 1_000);
    expect(clock.toLocal(2_000, Infinity, 1_000)).toBe(2_000 + 2);
    expect(clock.toLocal(601_000, Infinity, 601_000)).toBeGreaterThanOrEqual(601_000 + 600);
  });
});

describe('RateLimiter on the server clock', () => {
  for (const skewMs of [0, 7_000, -7_000]) {
    it(`starts each window at the reset, not one slow answer later (server clock ${skewMs} ms off)`, async () => {
      const clock = new FakeClock();
      const limiter = new RateLimiter({ globalPerSecond: 50, now: clock.time, setTimer: clock.setTimer });
      // One quick answer in five, the rest 150 ms on the way back.
      const p = platform(clock, {
        skewMs,
        limit: 5,
        windowMs: 1000,
        global: 50,
        latency: (i) => [2, i % 5 === 1 ? 1 : 150],
      });
      await clock.run(
        Promise.all(
          Array.from({ length: 30 }, () =>
            limiter.schedule('POST', `/channels/${channel(1)}/messages`, p.send(channel(1))),
          ),
        ),
      );
      expect(p.over).toEqual([]);
      const at = p.byChannel.get(channel(1))!;
      // Six windows; each of the last five opens within a few ms of the previous reset, far less than the
      // 150 ms a receipt-based reset would lose each time.
      const starts = [at[0]!, at[5]!, at[10]!, at[15]!, at[20]!, at[25]!];
      for (let w = 1; w < starts.length; w++) expect(starts[w]! - starts[w - 1]!).toBeLessThan(1000 + 15);
    });
  }

  it('gives global slots back one second after the server answered, not after the slow answer came back', async () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter({ globalPerSecond: 10, now: clock.time, setTimer: clock.setTimer });
    const p = platform(clock, {
      skewMs: 2_500,
      limit: 50,
      windowMs: 60_000,
      global: 10,
      latency: (i) => [1, i === 0 ? 1 : 200],
    });
    // A first call learns the offset; then 30 calls over 30 channels are paced by the global limit alone.
    await clock.run(limiter.schedule('POST', `/channels/${channel(0)}/messages`, p.send(channel(0))));
    await clock.run(clock.sleep(1500));
    const start = p.arrivals.length;
    await clock.run(
      Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          limiter.schedule('POST', `/channels/${channel(i + 1)}/messages`, p.send(channel(i + 1))),
        ),
      ),
    );
    expect(p.over).toEqual([]);
    const burst = p.arrivals.slice(start);
    // Three rounds of ten: receipt-based release would put the third round at ≥ 2 × 1201 ms.
    expect(burst.at(-1)! - burst[0]!).toBeLessThan(2 * 1000 + 40);
  });

  it('never exceeds a bucket or the global limit at the server, whatever the skew and the delays', async () => {
    for (let seed = 1; seed <= 12; seed++) {
      const rnd = prng(seed);
      const clock = new FakeClock();
      const limiter = new RateLimiter({ globalPerSecond: 8, now: clock.time, setTimer: clock.setTimer });
      const skewMs = Math.round((rnd() - 0.5) * 20_000);
      const p = platform(clock, {
        skewMs,
        limit: 3,
        windowMs: 700,
        global: 8,
        latency: () => [Math.floor(rnd() * 120), Math.floor(rnd() * 250)],
      });
      const calls = Array.from({ length: 60 }, (_, i) => {
        const c = channel(i % 5);
        return limiter.schedule('POST', `/channels/${c}/messages`, p.send(c));
      });
      const outcomes = await clock.run(Promise.all(calls));
      expect(outcomes.every((o) => o.kind === 'response')).toBe(true);
      expect({ seed, over: p.over }).toEqual({ seed, over: [] });
    }
  });

  it('sends a full window at once on a new channel once the bucket is known from another, without a 429', async () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter({ globalPerSecond: 50, now: clock.time, setTimer: clock.setTimer });
    const p = platform(clock, { skewMs: 0, limit: 5, windowMs: 1000, global: 50, latency: () => [20, 20] });
    await clock.run(limiter.schedule('POST', `/channels/${channel(1)}/messages`, p.send(channel(1))));
    const calls = Array.from({ length: 12 }, () =>
      limiter.schedule('POST', `/channels/${channel(2)}/messages`, p.send(channel(2))),
    );
    await clock.run(Promise.all(calls));
    expect(p.over).toEqual([]);
    const at = p.byChannel.get(channel(2))!;
    // The first five together rather than one, a round trip, then four.
    expect(at[4]! - at[0]!).toBe(0);
    expect(at[5]! - at[0]!).toBeGreaterThanOrEqual(1000);
    // Each later window opens one quickest round trip (40 ms here) after the reset at most.
    expect(at[10]! - at[0]!).toBeLessThan(2 * (1000 + 40 + 5));
  });

  it('learns interaction callbacks per interaction: their split by interaction is not documented', async () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter({ globalPerSecond: 50, now: clock.time, setTimer: clock.setTimer });
    // A platform that limits every callback together, as it may: a new interaction must not assume a fresh window.
    let used = 0;
    let resetAt = 0;
    const over: number[] = [];
    const send = async (): Promise<LimitedResponse> => {
      await clock.sleep(5);
      if (clock.now >= resetAt) [used, resetAt] = [0, clock.now + 1000];
      if (++used > 3) over.push(clock.now);
      const headers: Record<string, string> = {
        'x-ratelimit-limit': '3',
        'x-ratelimit-remaining': String(Math.max(0, 3 - used)),
        'x-ratelimit-reset': (resetAt / 1000).toFixed(3),
        'x-ratelimit-reset-after': ((resetAt - clock.now) / 1000).toFixed(3),
        'x-ratelimit-bucket': 'cb',
      };
      await clock.sleep(5);
      return { status: 200, header: (n) => headers[n.toLowerCase()] ?? null, body: '' };
    };
    await clock.run(limiter.schedule('POST', `/interactions/${channel(1)}/tok1/callback`, send));
    await clock.run(
      Promise.all([2, 2, 2].map((i) => limiter.schedule('POST', `/interactions/${channel(i)}/tok${i}/callback`, send))),
    );
    expect(over).toEqual([]);
  });
});

describe('RateLimiter sharing scarce global slots', () => {
  it('keeps a slot for a long queue still learning its bucket, so short lanes learned first cannot take the whole second', async () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter({ globalPerSecond: 10, now: clock.time, setTimer: clock.setTimer });
    // The long lane (one request per 250 ms, 8 queued) learns its bucket later than three short lanes (5 per
    // second each, 5 queued) that would take every global slot of the first second between them.
    const long = platform(clock, { skewMs: 0, limit: 1, windowMs: 250, global: 10, latency: () => [2, 30] });
    const short = platform(clock, { skewMs: 0, limit: 5, windowMs: 1000, global: 10, latency: () => [2, 2] });
    const calls = [
      ...Array.from({ length: 8 }, () =>
        limiter.schedule(
          'PUT',
          `/channels/${channel(9)}/messages/${channel(8)}/reactions/x/@me`,
          long.send(channel(9)),
        ),
      ),
      ...[1, 2, 3].flatMap((c) =>
        Array.from({ length: 5 }, () =>
          limiter.schedule('POST', `/channels/${channel(c)}/messages`, short.send(channel(c))),
        ),
      ),
    ];
    await clock.run(Promise.all(calls));
    expect([...long.over, ...short.over]).toEqual([]);
    // Its second request goes at its bucket's reset, not after the short lanes' slots come back a second later.
    expect(long.arrivals[1]! - long.arrivals[0]!).toBeLessThan(300);
    // 23 requests at 10 per second need three seconds of global slots; the long lane still ends inside them.
    expect(long.arrivals.at(-1)! - long.arrivals[0]!).toBeLessThan(2400);
  });
});

describe('splitByDocumentedMajor', () => {
  const rows: [string, boolean][] = [
    ['POST /channels/:id/messages', true],
    ['PATCH /guilds/:id/members/:id', true],
    ['POST /webhooks/:id/:token', true],
    ['POST /interactions/:id/:token/callback', false],
    ['GET /users/@me', false],
    ['GET /gateway/bot', false],
  ];
  for (const [route, yes] of rows) {
    it(`${route}: ${yes ? 'a new major starts from the known limit' : 'every major learns its own'}`, () => {
      expect(splitByDocumentedMajor(route)).toBe(yes);
    });
  }
});
