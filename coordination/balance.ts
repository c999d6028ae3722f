// How many shards each live host should run: proportional to capacity (largest remainder), never above a
// host's capacity. Pure, so every rule has a test row (test/workers/coordinator-balance.test.ts).

export interface HostWeight {
  id: string;
  capacity: number;
}

export function targets(hosts: readonly HostWeight[], shardCount: number): Map<string, number> {
  const out = new Map<string, number>();
  const sumCap = hosts.reduce((n, h) => n + h.capacity, 0);
  if (sumCap === 0) return out;
  const total = Math.min(shardCount, sumCap);
  const rows = hosts.map((h) => {
    const exact = (total * h.capacity) / sumCap;
    return { id: h.id, base: Math.floor(exact), frac: exact - Math.floor(exact) };
  });
  let left = total - rows.reduce((n, r) => n + r.base, 0);
  // Largest fraction first; ties by id so every coordinator instance computes the same plan.
  const order = [...rows].sort((a, b) => b.frac - a.frac || (a.id < b.id ? -1 : 1));
  for (const r of order) {
    if (left === 0) break;
    r.base++;
    left--;
  }
  for (const r of rows) out.set(r.id, r.base);
  return out;
}

/** The host that should take one more shard: most room below its target, then fewest shards, then id. */
export function pickHost(
  hosts: readonly HostWeight[],
  owned: ReadonlyMap<string, number>,
  target: ReadonlyMap<string, number>,
): string | null {
  let best: { id: string; room: number; count: number } | null = null;
  for (const h of hosts) {
    const count = owned.get(h.id) ?? 0;
    if (count >= h.capacity) continue;
    const room = (target.get(h.id) ?? 0) - count;
    if (
      !best ||
      room > best.room ||
      (room === best.room && (count < best.count || (count === best.count && h.id < best.id)))
    )
      best = { id: h.id, room, count };
  }
  return best?.id ?? null;
}
