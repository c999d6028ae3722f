// Poison events: a handler that always fails on one event is retried exactly maxAttempts times with the
// handler backoff, then dead-lettered, and the shard's later events go on; a Worker outage of any length
// (no answer, 5xx, 429, 401) dead-letters nothing.
import { describe, expect, it } from 'vitest';
import { Forwarder } from '../../../shard-host/forwarder/forwarder.ts';
import { batchRetryDelay, DEFAULT_RETRY_POLICY, poisonWaitMs } from '../../../shard-host/forwarder/retry-policy.ts';
import type { TransportReply } from '../../../shard-host/forwarder/transport.ts';
import { memoryLogger } from '../../../shard-host/log.ts';
import { MemorySpool } from '../../../shard-host/spool/memory.ts';
import { envelope, FakeTransport, ManualClock, ok, status, unreachable } from './forwarder-fakes.ts';

const POISON = 'discord:0:s:1';
const HANDLER_ERROR = 'Error: handler_failed: cannot read properties of undefined';

function setup(maxAttempts?: number) {
  const clock = new ManualClock();
  const transport = new FakeTransport(clock, (b) =>
    ok(b, (e) => (e.id === POISON ? { outcome: 'retry', error: HANDLER_ERROR } : 'ack')),
  );
  const spool = new MemorySpool();
  const dead: { id: string; reason: string; at: number }[] = [];
  const acked = new Map<number, number>();
  const forwarder = new Forwarder({
    transport,
    hostId: 'h',
    spool,
    logger: memoryLogger(),
    maxEvents: 100,
    maxBytes: 1 << 20,
    lingerMs: 20,
    clock,
    random: () => 0.5,
    ...(maxAttempts === undefined ? {} : { maxAttempts }),
    onAcked: (_s, events) => {
      for (const e of events) {
        expect(acked.has(e.seq)).toBe(false);
        acked.set(e.seq, clock.now() - e.receivedAt);
      }
    },
    onDeadLetter: (e, reason) => dead.push({ id: e.id, reason, at: clock.now() }),
  });
  const append = (seq: number) => {
    spool.append(envelope(0, seq, clock.now()));
    forwarder.notify(0);
  };
  const carried = (id: string) => transport.sent.filter((s) => s.batch.events.some((e) => e.id === id)).length;
  return { clock, transport, spool, dead, acked, forwarder, append, carried };
}

describe('poison events', () => {
  it('the default policy waits 1 + 2 + 4 + 8 s behind a poison event', () => {
    expect(poisonWaitMs(DEFAULT_RETRY_POLICY)).toBe(15_000);
  });

  it('dead-letters an always-failing event after exactly maxAttempts attempts; the 49 after it go on', async () => {
    const t = setup();
    t.append(1); // the poison event goes alone at once (the host was quiet)
    await t.clock.advance(100);
    for (let seq = 2; seq <= 50; seq++) {
      t.append(seq); // one good event every 100 ms while the poison event is retried
      await t.clock.advance(100);
    }
    await t.clock.advance(30_000);

    expect(t.carried(POISON)).toBe(DEFAULT_RETRY_POLICY.maxAttempts);
    // Attempts at 0 ms, then 1, 2, 4 and 8 s after each failure.
    const attempts = t.transport.sent.filter((s) => s.batch.events.some((e) => e.id === POISON)).map((s) => s.at);
    expect(attempts).toEqual([0, 1_000, 3_000, 7_000, 15_000]);
    expect(t.dead).toEqual([
      {
        id: POISON,
        reason: `handler failed on all 5 attempts (EDGESHARD_MAX_ATTEMPTS): ${HANDLER_ERROR}`,
        at: 15_000,
      },
    ]);
    expect([...t.acked.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: 49 }, (_, i) => i + 2));
    // The longest any later event waited: the first one, appended at 100 ms, acknowledged at 15 020 ms (the
    // request after the dead letter's, one linger later).
    expect(Math.max(...t.acked.values())).toBe(14_920);
    expect(Math.max(...t.acked.values()) <= 30_000).toBe(true);
    expect(t.spool.depth().events).toBe(0);
    expect(t.forwarder.stats.deadLetters).toBe(1);
  });

  it('takes EDGESHARD_MAX_ATTEMPTS from the options', async () => {
    const t = setup(2);
    t.append(1);
    await t.clock.advance(10_000);
    expect(t.carried(POISON)).toBe(2);
    expect(t.dead.map((d) => d.at)).toEqual([1_000]);
  });

  it('counts only handler failures: an outage between them neither adds attempts nor resets them', async () => {
    const t = setup();
    const handler = t.transport.answer;
    t.transport.answer = (b, n) => {
      // Handler failures 1-2, then 60 s of outage, then the Worker answers again.
      const now = t.clock.now();
      if (now >= 3_000 && now < 63_000) return n % 2 === 0 ? unreachable : status(503);
      return handler(b, n);
    };
    t.append(1);
    await t.clock.advance(200_000);
    const answered = t.transport.sent.filter((s) => s.at < 3_000 || s.at >= 63_000);
    expect(answered.length).toBe(5);
    expect(t.transport.sent.length - answered.length > 0).toBe(true); // the outage was retried, uncounted
    expect(t.dead.map((d) => [d.id, d.at])).toEqual([[POISON, answered.at(-1)!.at]]);
  });

  it('a Worker outage of 10 minutes (no answer, 5xx, 429, 401) dead-letters nothing and delivers everything after', async () => {
    const t = setup();
    const OUTAGE_MS = 600_000;
    const failures: TransportReply[] = [
      unreachable,
      status(503),
      status(502, 'Bad Gateway'),
      status(429),
      status(401, '{"error":{"code":"bad_signature","message":"m"}}'),
      status(500, '{"error":{"code":"handler_failed","message":"m"}}'),
    ];
    t.transport.answer = (b, n) => (t.clock.now() < OUTAGE_MS ? failures[n % failures.length]! : ok(b));
    for (let seq = 1; seq <= 200; seq++) {
      t.append(seq);
      await t.clock.advance(1_000); // an event a second for the first 200 s of the outage
    }
    await t.clock.advance(OUTAGE_MS - 200_000);
    expect(t.acked.size).toBe(0);
    expect(t.dead).toEqual([]);
    await t.clock.advance(20_000);
    expect(t.dead).toEqual([]);
    expect(t.forwarder.stats.deadLetters).toBe(0);
    expect([...t.acked.keys()]).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    expect(t.spool.depth().events).toBe(0);
    // Capped backoff: the retry after the outage comes within one maximum delay (10 s × jitter 0.5).
    let at = 0;
    for (let k = 1; at < OUTAGE_MS; k++) at += batchRetryDelay(k, DEFAULT_RETRY_POLICY, () => 0.5);
    const delivered = t.transport.sent.filter((s) => s.at >= OUTAGE_MS).map((s) => s.at);
    expect(delivered[0]).toBe(at);
    expect(at - OUTAGE_MS < 5_000).toBe(true);
  });
});
