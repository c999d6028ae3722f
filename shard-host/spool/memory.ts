// In-memory spool: per-shard FIFO queues. Loses its contents when the process exits.
import type { EventEnvelope } from '../../protocol/index.ts';
import type { Spool, SpoolDepth, SpoolEntry } from './types.ts';

interface Queue {
  entries: SpoolEntry[];
  bytes: number;
}

export class MemorySpool implements Spool {
  readonly #queues = new Map<number, Queue>();

  append(event: EventEnvelope): void {
    let queue = this.#queues.get(event.shard);
    if (!queue) {
      queue = { entries: [], bytes: 0 };
      this.#queues.set(event.shard, queue);
    }
    const json = JSON.stringify(event);
    queue.entries.push({ event, json });
    queue.bytes += json.length;
  }

  pending(shard: number, maxEvents: number, maxBytes: number): SpoolEntry[] {
    const entries = this.#queues.get(shard)?.entries ?? [];
    const out: SpoolEntry[] = [];
    let bytes = 0;
    for (const entry of entries) {
      if (out.length >= maxEvents || (out.length > 0 && bytes + entry.json.length > maxBytes)) break;
      out.push(entry);
      bytes += entry.json.length;
    }
    return out;
  }

  ack(shard: number, ids: ReadonlySet<string>): void {
    const queue = this.#queues.get(shard);
    if (!queue || ids.size === 0) return;
    queue.entries = queue.entries.filter((entry) => {
      if (!ids.has(entry.event.id)) return true;
      queue.bytes -= entry.json.length;
      return false;
    });
  }

  shards(): number[] {
    return [...this.#queues].filter(([, q]) => q.entries.length > 0).map(([shard]) => shard);
  }

  depth(shard?: number): SpoolDepth {
    const queues = shard === undefined ? [...this.#queues.values()] : [this.#queues.get(shard)].filter((q) => q !== undefined);
    let events = 0;
    let bytes = 0;
    let oldestAt: number | null = null;
    for (const q of queues) {
      events += q.entries.length;
      bytes += q.bytes;
      const first = q.entries[0];
      if (first && (oldestAt === null || first.event.receivedAt < oldestAt)) oldestAt = first.event.receivedAt;
    }
    return { events, bytes, oldestAt };
  }

  async close(): Promise<void> {}
}
