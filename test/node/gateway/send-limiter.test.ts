import { describe, expect, it } from 'vitest';
import { EdgeshardError } from '../../../protocol/errors.ts';
import { assertPayloadSize, MAX_PAYLOAD_BYTES, SendLimiter } from '../../../shard-host/gateway/send-limiter.ts';
import { FakeClock, flush } from './fakes.ts';

describe('send limiter', () => {
  it('allows 120 sends per 60 s, commands get 115 and the reserve stays for system sends', async () => {
    const clock = new FakeClock();
    const limiter = new SendLimiter({ clock });
    for (let i = 0; i < 115; i++) expect(limiter.tryAcquire('command')).toBe(true);
    expect(limiter.tryAcquire('command')).toBe(false);
    for (let i = 0; i < 5; i++) expect(limiter.tryAcquire('system')).toBe(true);
    expect(limiter.tryAcquire('system')).toBe(false);
    expect(limiter.available('system')).toBe(0);
  });

  it('queues past the limit and releases as the window slides', async () => {
    const clock = new FakeClock();
    const limiter = new SendLimiter({ clock });
    for (let i = 0; i < 115; i++) {
      limiter.tryAcquire('command');
      await clock.advance(100); // sends at 0, 100, …, 11 400
    }
    const done: number[] = [];
    void limiter.acquire('command').then(() => done.push(clock.now()));
    void limiter.acquire('command').then(() => done.push(clock.now()));
    await flush();
    expect(done).toEqual([]);
    await clock.advance(60_000 - clock.now()); // the first send leaves the window at 60 000
    expect(done).toEqual([60_000]);
    await clock.advance(100);
    expect(done).toEqual([60_000, 60_100]);
  });

  it('system sends overtake queued commands', async () => {
    const clock = new FakeClock();
    const limiter = new SendLimiter({ clock, limit: 3, reserve: 1 });
    limiter.tryAcquire('command');
    limiter.tryAcquire('command');
    const order: string[] = [];
    void limiter.acquire('command').then(() => order.push('command'));
    expect(limiter.tryAcquire('system')).toBe(true); // the reserve
    void limiter.acquire('system').then(() => order.push('system'));
    await clock.advance(60_000);
    expect(order).toEqual(['system', 'command']);
  });

  it('reset starts a new budget; close rejects waiters; abort removes one', async () => {
    const clock = new FakeClock();
    const limiter = new SendLimiter({ clock, limit: 1, reserve: 0 });
    limiter.tryAcquire('command');
    const ac = new AbortController();
    const aborted = limiter.acquire('command', ac.signal);
    ac.abort(new Error('gone'));
    await expect(aborted).rejects.toThrow('gone');
    limiter.reset();
    expect(limiter.tryAcquire('command')).toBe(true);
    const pending = limiter.acquire('command');
    limiter.close(new Error('closed'));
    await expect(pending).rejects.toThrow('closed');
  });

  it(`refuses payloads over ${MAX_PAYLOAD_BYTES} bytes with an error naming the limit`, () => {
    expect(() => assertPayloadSize('x'.repeat(4096))).not.toThrow();
    let error: unknown;
    try {
      assertPayloadSize('é'.repeat(2049)); // 4098 bytes in UTF-8, 2049 characters
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(EdgeshardError);
    expect((error as EdgeshardError).message).toMatch(/4098 bytes.*4096 bytes/);
  });
});
