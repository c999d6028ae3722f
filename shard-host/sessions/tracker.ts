// Which sequence number a shard's next owner may resume from. The shard knows what it RECEIVED; resuming from
// that would skip events still waiting in this host's spool when it dies. So the reported seq is the
// Worker's watermark: the highest seq such that it and every seq before it (of the current session) were
// settled (acknowledged, or dead-lettered on purpose). Acks arrive per batch and may leave gaps while a
// batch is retried; the watermark only moves over a gap-free prefix. The gateway replays the rest. The lease
// client reports it with every renewal and at release (the coordinator keeps sessions, not this host).
import type { SessionInfo } from '../gateway/session.ts';

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
  readonly #shards = new Map<number, Tracked>();

  /** A shard resumes `session` (at start) or got a new one (READY, seq 0), or lost it (null). */
  session(shard: number, session: SessionInfo | null): void {
    if (!session) return void this.#shards.delete(shard);
    this.#shards.set(shard, {
      sessionId: session.sessionId,
      resumeUrl: session.resumeUrl,
      watermark: session.seq,
      pending: [],
      head: 0,
      settled: new Set(),
    });
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
    while (t.head < t.pending.length && t.settled.has(t.pending[t.head]!)) {
      const seq = t.pending[t.head++]!;
      t.settled.delete(seq);
      t.watermark = seq;
    }
    if (t.head > 1024 && t.head * 2 > t.pending.length) {
      t.pending = t.pending.slice(t.head);
      t.head = 0;
    }
  }

  watermark(shard: number): number | undefined {
    return this.#shards.get(shard)?.watermark;
  }

  /** The shard's session at the watermark, or null. */
  get(shard: number): SessionInfo | null {
    const t = this.#shards.get(shard);
    return t ? { sessionId: t.sessionId, resumeUrl: t.resumeUrl, seq: t.watermark } : null;
  }

  forget(shard: number): void {
    this.#shards.delete(shard);
  }
}
