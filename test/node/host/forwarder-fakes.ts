// Fakes for the forwarder's seams: a clock that moves only when told, and a transport that answers as the
// test says and records what was sent when.
import {
  parseEventBatch,
  PROTOCOL_VERSION,
  type EventBatch,
  type EventEnvelope,
  type EventOutcome,
} from '../../../protocol/index.ts';
import type { Clock, Timer } from '../../../shard-host/gateway/clock.ts';
import type { BatchTransport, TransportReply } from '../../../shard-host/forwarder/transport.ts';

/** Lets every pending promise callback and I/O-free continuation run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise<void>((r) => setImmediate(r));
}

export class ManualClock implements Clock {
  #now = 0;
  #order = 0;
  #timers: { at: number; order: number; fn: () => void; cancelled: boolean }[] = [];

  now(): number {
    return this.#now;
  }

  setTimeout(fn: () => void, ms: number): Timer {
    const t = { at: this.#now + Math.max(0, ms), order: this.#order++, fn, cancelled: false };
    this.#timers.push(t);
    return { cancel: () => void (t.cancelled = true) };
  }

  /** Moves time forward timer by timer, letting the forwarder's promises settle after each. */
  async advance(ms: number): Promise<void> {
    const end = this.#now + ms;
    await settle();
    for (;;) {
      this.#timers = this.#timers.filter((t) => !t.cancelled).sort((a, b) => a.at - b.at || a.order - b.order);
      const next = this.#timers[0];
      if (!next || next.at > end) break;
      this.#timers.shift();
      this.#now = next.at;
      next.fn();
      await settle();
    }
    this.#now = end;
  }
}

export interface Sent {
  at: number;
  batch: EventBatch;
}

type Answer = (batch: EventBatch, n: number) => TransportReply | Promise<TransportReply>;

export class FakeTransport implements BatchTransport {
  readonly target = 'fake://worker';
  readonly sent: Sent[] = [];
  closed = false;
  readonly clock: Clock;
  answer: Answer;

  constructor(clock: Clock, answer: Answer = (b) => ok(b)) {
    this.clock = clock;
    this.answer = answer;
  }

  async send(body: string): Promise<TransportReply> {
    const batch = parseEventBatch(JSON.parse(body));
    this.sent.push({ at: this.clock.now(), batch });
    return this.answer(batch, this.sent.length);
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  /** Event seqs of each batch sent, in order. */
  seqs(): number[][] {
    return this.sent.map((s) => s.batch.events.map((e) => e.seq));
  }
}

type PerEvent = EventOutcome | { outcome: EventOutcome; error: string };

export function ok(batch: EventBatch, outcome: (e: EventEnvelope) => PerEvent = () => 'ack'): TransportReply {
  const results = batch.events.map((e) => {
    const o = outcome(e);
    return typeof o === 'string' ? { id: e.id, outcome: o } : { id: e.id, ...o };
  });
  return { kind: 'answer', status: 200, retryAfter: null, text: JSON.stringify({ v: PROTOCOL_VERSION, results }) };
}

export function status(code: number, body = '{}', retryAfter: string | null = null): TransportReply {
  return { kind: 'answer', status: code, retryAfter, text: body };
}

export const unreachable: TransportReply = { kind: 'unreachable', error: 'connect ECONNREFUSED 127.0.0.1:9' };

export function envelope(shard: number, seq: number, receivedAt: number, data: unknown = { seq }): EventEnvelope {
  return {
    id: `discord:${shard}:s:${seq}`,
    platform: 'discord',
    shard,
    session: 's',
    seq,
    type: 'MESSAGE_CREATE',
    data,
    receivedAt,
  };
}
