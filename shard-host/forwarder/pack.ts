// What the next request carries: several shards' events in one signed request (batch version 2), so a
// host with many shards pays one Worker request per linger, not one per shard. Shards whose retry is due
// go first, then the shards whose oldest spooled event is oldest; each shard's events in spool order,
// until the request's event or byte cap. A shard's retry carries nothing past its failed remainder.
import type { Spool, SpoolEntry } from '../spool/types.ts';
import type { Remainder } from './state.ts';

export interface PackCandidate {
  shard: number;
  /** A due retry of this shard, or null for fresh events. */
  remainder: Remainder | null;
}

export interface RequestPart {
  shard: number;
  entries: SpoolEntry[];
  /** The retry this part carries; null when fresh (also when the remainder left the spool another way). */
  remainder: Remainder | null;
}

export interface Packed {
  parts: RequestPart[];
  events: number;
  /** Events of the candidates this request leaves out entirely (a shard in it counts its rest when answered). */
  left: number;
}

export function pack(spool: Spool, candidates: readonly PackCandidate[], maxEvents: number, maxBytes: number): Packed {
  const ordered = candidates
    .map((c) => ({ ...c, depth: spool.depth(c.shard) }))
    .filter((c) => c.depth.events > 0)
    .sort(
      (a, b) =>
        Number(b.remainder !== null) - Number(a.remainder !== null) ||
        (a.depth.oldestAt ?? 0) - (b.depth.oldestAt ?? 0) ||
        a.shard - b.shard,
    );
  const parts: RequestPart[] = [];
  let events = 0;
  let bytes = 0;
  let left = 0;
  for (const c of ordered) {
    const room = maxEvents - events;
    if (room <= 0 || bytes >= maxBytes) {
      left += c.depth.events;
      continue;
    }
    let remainder = c.remainder;
    let entries = spool.pending(c.shard, room, maxBytes - bytes, remainder?.through);
    if (entries.length === 0 && remainder) {
      // The failed remainder left the spool another way (dropped past the size cap): newer events go on.
      remainder = null;
      entries = spool.pending(c.shard, room, maxBytes - bytes);
    }
    const size = entries.reduce((n, e) => n + e.json.length, 0);
    // `pending` returns at least one entry; past the byte cap it waits for a request of its own.
    if (entries.length === 0 || (parts.length > 0 && bytes + size > maxBytes)) {
      left += c.depth.events;
      continue;
    }
    parts.push({ shard: c.shard, entries, remainder });
    events += entries.length;
    bytes += size;
  }
  return { parts, events, left };
}
