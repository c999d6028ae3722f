// Test doubles for the gateway: a fake clock and a fake transport (no socket).
import type { Clock, Timer } from '../../../shard-host/gateway/clock.ts';
import type { Connect, TransportEvents } from '../../../shard-host/gateway/connection.ts';

interface Scheduled {
  at: number;
  order: number;
  fn: () => void;
  cancelled: boolean;
}

export class FakeClock implements Clock {
  #now = 0;
  #order = 0;
  #timers: Scheduled[] = [];

  constructor(start = 0) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(fn: () => void, ms: number): Timer {
    const t: Scheduled = { at: this.#now + Math.max(0, ms), order: this.#order++, fn, cancelled: false };
    this.#timers.push(t);
    return { cancel: () => void (t.cancelled = true) };
  }

  pending(): number {
    return this.#timers.filter((t) => !t.cancelled).length;
  }

  /** Moves time forward, firing due timers in order and letting promise callbacks run after each. */
  async advance(ms: number): Promise<void> {
    const end = this.#now + ms;
    await flush();
    for (;;) {
      this.#timers = this.#timers.filter((t) => !t.cancelled);
      this.#timers.sort((a, b) => a.at - b.at || a.order - b.order);
      const next = this.#timers[0];
      if (!next || next.at > end) break;
      this.#timers.shift();
      this.#now = next.at;
      next.fn();
      await flush();
    }
    this.#now = end;
  }
}

/** Lets pending promise callbacks run. */
export async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

export interface FakeConnection {
  url: string;
  events: TransportEvents;
  sent: Array<{ op: number; d: unknown }>;
  closed: { code: number; reason: string } | null;
  paused: boolean;
  receive(payload: unknown): void;
  serverClose(code: number, reason?: string): void;
}

export function fakeConnect(): { connect: Connect; connections: FakeConnection[]; last(): FakeConnection } {
  const connections: FakeConnection[] = [];
  const connect: Connect = (url, _compress, events) => {
    const conn: FakeConnection = {
      url,
      events,
      sent: [],
      closed: null,
      paused: false,
      receive(payload) {
        const text = JSON.stringify(payload);
        events.message(text, text.length);
      },
      serverClose(code, reason = '') {
        events.close(code, reason);
      },
    };
    connections.push(conn);
    return {
      send: (text) => void conn.sent.push(JSON.parse(text) as { op: number; d: unknown }),
      close: (code, reason) => {
        conn.closed = { code, reason };
        return Promise.resolve();
      },
      pause: () => void (conn.paused = true),
      resume: () => void (conn.paused = false),
    };
  };
  return {
    connect,
    connections,
    last: () => {
      const c = connections.at(-1);
      if (!c) throw new Error('no connection yet');
      return c;
    },
  };
}
