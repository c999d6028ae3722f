// Which sequence number a restarted host may resume from. The shard knows what it RECEIVED; resuming from
// that would skip events still waiting in a memory spool when the host dies. So the stored seq is the
// Worker's watermark: the highest seq such that it and every seq before it (of the current session) were
// settled (acknowledged, or dead-lettered on purpose). Acks arrive per batch and may leave gaps while a
// batch is retried; the watermark only moves over a gap-free prefix. The gateway replays the rest.
import type { SessionInfo } from '../gateway/session.ts';
import type { SessionStore, StoredSession } from './types.ts';

interface Tracked {
  sessionId: string;
  resumeUrl: string;
  watermark: number;
  /** Received, unsettled seqs in arrival order (increasing within a session), from `head` on. */
  pending: number[];
  head: number;
  settled: Set<number>;
}

export class SessionTracker {
  readonly #store: SessionStore;
  readonly #shardCount: number;
  readonly #now: () => number;
  readonly #shards = new Map<number, Tracked>();

  constructor(store: SessionStore, shardCount: number, now: () => number = Date.now) {
    this.#store = store;
    this.#shardCount = shardCount;
    this.#now = now;
  }

  /** The stored sessions a starting host may resume: only those of the same shard count. */
  static usable(stored: Map<number, StoredSession>, shardCount: number): Map<number, SessionInfo> {
    const out = new Map<number, SessionInfo>();
    for (const [shard, s] of stored) {
      if (s.shardCount === shardCount) out.set(shard, { sessionId: s.sessionId, resumeUrl: s.resumeUrl, seq: s.seq });
    }
    return out;
  }

  /** A shard resumes `session` (at start) or got a new one (READY, seq 0), or lost it (null). */
  session(shard: number, session: SessionInfo | null): void {
    if (!session) {
      this.#shards.delete(shard);
      return this.#store.save(shard, null);
    }
    this.#shards.set(shard, {
      sessionId: session.sessionId,
      resumeUrl: session.resumeUrl,
      watermark: session.seq,
      pending: [],
      head: 0,
      settled: new Set(),
    });
    this.#save(shard);
  }

  /** A dispatch went into the spool. */
  received(shard: number, sessionId: string, seq: number): void {
    const t = this.#shards.get(shard);
    if (t && t.sessionId === sessionId && seq > t.watermark) t.pending.push(seq);
  }

  /** Events left the spool for good (acknowledged or dead-lettered). */
  settled(shard: number, events: Iterable<{ session: string; seq: number }>): void {
    const t = this.#shards.get(shard);
    if (!t) return;
    for (const e of events) if (e.session === t.sessionId && e.seq > t.watermark) t.settled.add(e.seq);
    const before = t.watermark;
    while (t.head < t.pending.length && t.settled.has(t.pending[t.head]!)) {
      const seq = t.pending[t.head++]!;
      t.settled.delete(seq);
      t.watermark = seq;
    }
    if (t.head > 1024 && t.head * 2 > t.pending.length) {
      t.pending = t.pending.slice(t.head);
      t.head = 0;
    }
    if (t.watermark !== before) this.#save(shard);
  }

  watermark(shard: number): number | undefined {
    return this.#shards.get(shard)?.watermark;
  }

  #save(shard: number): void {
    const t = this.#shards.get(shard);
    if (!t) return;
    this.#store.save(shard, {
      sessionId: t.sessionId,
      resumeUrl: t.resumeUrl,
      seq: t.watermark,
      shardCount: this.#shardCount,
      updatedAt: this.#now(),
    });
  }
}
