// Fencing at /events without a Durable Object round trip per event. Each isolate caches the highest epoch
// it has seen per shard. A batch below the cached epoch is refused at once (409); a batch at the cached
// epoch passes; a batch above it, or a cache entry older than `ttlMs`, asks the coordinator once for the
// shards of that batch. The bound: a stale owner's batch can pass in an isolate that has not yet seen the
// new epoch for at most `ttlMs` after the handoff. That owner has already stopped its shard (the host
// fences itself before its lease can expire), so what passes are real events, delivered twice at most.
export interface EpochSource {
  epochs(shards: number[]): Promise<Record<number, number>>;
}

export type EpochVerdict = { ok: true } | { ok: false; shard: number; current: number };

interface Entry {
  epoch: number;
  checkedAt: number;
}

export class EpochCache {
  readonly #ttlMs: number;
  readonly #known = new Map<number, Entry>();
  /** Coordinator lookups made, for tests. */
  lookups = 0;

  constructor(ttlMs: number) {
    this.#ttlMs = ttlMs;
  }

  async check(shards: readonly number[], epoch: number, source: EpochSource, now: number): Promise<EpochVerdict> {
    const unknown: number[] = [];
    for (const shard of new Set(shards)) {
      const entry = this.#known.get(shard);
      if (entry && epoch < entry.epoch) return { ok: false, shard, current: entry.epoch };
      if (!entry || epoch > entry.epoch || now - entry.checkedAt >= this.#ttlMs) unknown.push(shard);
    }
    if (unknown.length === 0) return { ok: true };
    this.lookups++;
    const fresh = await source.epochs(unknown);
    for (const shard of unknown) {
      const current = Math.max(fresh[shard] ?? 0, this.#known.get(shard)?.epoch ?? 0);
      this.#known.set(shard, { epoch: current, checkedAt: now });
      if (epoch < current) return { ok: false, shard, current };
    }
    return { ok: true };
  }
}
