// The coordinator-backed SessionStore: in coordinator mode the SessionTracker (sessions/tracker.ts) saves
// each shard's session with the Worker's watermark here, and the lease client reports it to the
// coordinator on every renewal and at release. Sessions come back with assignments, so load() is empty:
// whichever host runs a shard next gets its session from the coordinator, not from this host's disk.
import type { SessionInfo } from '../../protocol/index.ts';
import type { SessionStore, StoredSession } from '../sessions/types.ts';

export class LeaseSessionStore implements SessionStore {
  readonly #latest = new Map<number, SessionInfo>();

  async load(): Promise<Map<number, StoredSession>> {
    return new Map();
  }

  save(shard: number, session: StoredSession | null): void {
    if (session)
      this.#latest.set(shard, { sessionId: session.sessionId, resumeUrl: session.resumeUrl, seq: session.seq });
    else this.#latest.delete(shard);
  }

  /** The shard's session with the last sequence the Worker acknowledged, or null. */
  get(shard: number): SessionInfo | null {
    const s = this.#latest.get(shard);
    return s ? { ...s } : null;
  }

  forget(shard: number): void {
    this.#latest.delete(shard);
  }

  async flush(): Promise<void> {}

  async close(): Promise<void> {}
}
