// In-memory spool: loses its contents when the process exits. For tests and for a host that accepts that.
import type { EventEnvelope } from '../../protocol/index.ts';
import { enforceCap, Entries } from './entries.ts';
import type { Spool, SpoolDepth, SpoolEntry, SpoolLimits } from './types.ts';

export class MemorySpool implements Spool {
  readonly #entries = new Entries();
  readonly #next = new Map<number, number>();
  readonly #limits: SpoolLimits;

  constructor(limits: Partial<SpoolLimits> = {}) {
    this.#limits = { maxBytes: Infinity, ...limits };
  }

  append(event: EventEnvelope, json: string = JSON.stringify(event)): SpoolEntry {
    const pos = this.#next.get(event.shard) ?? 0;
    this.#next.set(event.shard, pos + 1);
    const entry: SpoolEntry = { pos, event, json };
    this.#entries.add(event.shard, entry);
    enforceCap(this.#entries, this.#limits.maxBytes, (_shard, dropped) =>
      this.#limits.onDrop?.({ entry: dropped, reason: `spool over its cap of ${this.#limits.maxBytes} bytes` }),
    );
    return entry;
  }

  async sync(): Promise<void> {}

  pending(shard: number, maxEvents: number, maxBytes: number, throughPos?: number): SpoolEntry[] {
    return this.#entries.pending(shard, maxEvents, maxBytes, throughPos);
  }

  ack(shard: number, positions: readonly number[]): void {
    this.#entries.remove(shard, positions);
  }

  shards(): number[] {
    return this.#entries.shards();
  }

  depth(shard?: number): SpoolDepth {
    return this.#entries.depth(shard);
  }

  async close(): Promise<void> {}
}
