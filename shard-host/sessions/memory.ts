// In-process session store: for tests, and for a host that accepts identifying again after a restart.
import type { SessionStore, StoredSession } from './types.ts';

export class MemorySessionStore implements SessionStore {
  readonly #sessions = new Map<number, StoredSession>();

  constructor(initial: Iterable<[number, StoredSession]> = []) {
    for (const [shard, session] of initial) this.#sessions.set(shard, { ...session });
  }

  async load(): Promise<Map<number, StoredSession>> {
    return new Map([...this.#sessions].map(([shard, s]) => [shard, { ...s }]));
  }

  save(shard: number, session: StoredSession | null): void {
    if (session) this.#sessions.set(shard, { ...session });
    else this.#sessions.delete(shard);
  }

  async flush(): Promise<void> {}

  async close(): Promise<void> {}
}
