// The unacknowledged entries of every shard, in memory, with the size cap. Both spools keep their index
// here; the file spool adds the log on disk around it.
import type { SpoolDepth, SpoolEntry } from './types.ts';

interface ShardEntries {
  /** Insertion-ordered, so iteration is append order and removal by position is O(1). */
  byPos: Map<number, SpoolEntry>;
  bytes: number;
}

export class Entries {
  readonly #shards = new Map<number, ShardEntries>();
  #bytes = 0;

  get bytes(): number {
    return this.#bytes;
  }

  add(shard: number, entry: SpoolEntry): void {
    let s = this.#shards.get(shard);
    if (!s) {
      s = { byPos: new Map(), bytes: 0 };
      this.#shards.set(shard, s);
    }
    s.byPos.set(entry.pos, entry);
    s.bytes += entry.json.length;
    this.#bytes += entry.json.length;
  }

  /** Removes the positions that are present and returns their entries. */
  remove(shard: number, positions: readonly number[]): SpoolEntry[] {
    const s = this.#shards.get(shard);
    if (!s) return [];
    const removed: SpoolEntry[] = [];
    for (const pos of positions) {
      const entry = s.byPos.get(pos);
      if (!entry) continue;
      s.byPos.delete(pos);
      s.bytes -= entry.json.length;
      this.#bytes -= entry.json.length;
      removed.push(entry);
    }
    return removed;
  }

  pending(shard: number, maxEvents: number, maxBytes: number, throughPos = Infinity): SpoolEntry[] {
    const out: SpoolEntry[] = [];
    const s = this.#shards.get(shard);
    if (!s) return out;
    let bytes = 0;
    for (const entry of s.byPos.values()) {
      if (entry.pos > throughPos || out.length >= maxEvents) break;
      if (out.length > 0 && bytes + entry.json.length > maxBytes) break;
      out.push(entry);
      bytes += entry.json.length;
    }
    return out;
  }

  shards(): number[] {
    return [...this.#shards].filter(([, s]) => s.byPos.size > 0).map(([shard]) => shard);
  }

  /** The shard whose first entry was received earliest: the victim when the cap is passed. */
  oldest(): { shard: number; entry: SpoolEntry } | undefined {
    let best: { shard: number; entry: SpoolEntry } | undefined;
    for (const [shard, s] of this.#shards) {
      const first = s.byPos.values().next();
      if (first.done) continue;
      if (!best || first.value.event.receivedAt < best.entry.event.receivedAt) best = { shard, entry: first.value };
    }
    return best;
  }

  depth(shard?: number): SpoolDepth {
    const list =
      shard === undefined ? [...this.#shards.values()] : [this.#shards.get(shard)].filter((s) => s !== undefined);
    let events = 0;
    let bytes = 0;
    let oldestAt: number | null = null;
    for (const s of list) {
      events += s.byPos.size;
      bytes += s.bytes;
      const first = s.byPos.values().next();
      if (!first.done && (oldestAt === null || first.value.event.receivedAt < oldestAt))
        oldestAt = first.value.event.receivedAt;
    }
    return { events, bytes, oldestAt };
  }
}

/** Drops the oldest entries until the spool is within `maxBytes`; returns what was dropped, in order. */
export function enforceCap(entries: Entries, maxBytes: number, drop: (shard: number, entry: SpoolEntry) => void): void {
  while (entries.bytes > maxBytes) {
    const victim = entries.oldest();
    if (!victim) return;
    entries.remove(victim.shard, [victim.entry.pos]);
    drop(victim.shard, victim.entry);
  }
}
