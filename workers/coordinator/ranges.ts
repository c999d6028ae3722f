// Settled sequence numbers of one gateway session as sorted, disjoint, inclusive ranges. A session's seqs
// are 1, 2, 3 … (Discord docs, Topics > Gateway > Sending Heartbeats: `s` increments per dispatch), and the
// host acknowledges them nearly in order, so a session's whole history is one range plus a few holes
// (events still being retried). Pure functions, one test per rule (test/workers/ledger-ranges.test.ts).

export type Range = readonly [from: number, to: number];

/** Most ranges kept per session. Past it the two lowest merge: the hole between them (events dead-lettered
 *  or dropped long ago) counts as settled, so a platform replay of those never runs their handlers. */
export const MAX_RANGES = 32;

export function contains(ranges: readonly Range[], seq: number): boolean {
  let lo = 0;
  let hi = ranges.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const [from, to] = ranges[mid]!;
    if (seq < from) hi = mid - 1;
    else if (seq > to) lo = mid + 1;
    else return true;
  }
  return false;
}

/** Adds the seqs to the ranges; returns a new array (the input is not changed). */
export function add(ranges: readonly Range[], seqs: readonly number[]): Range[] {
  const all: [number, number][] = ranges.map(([a, b]) => [a, b]);
  for (const s of seqs) all.push([s, s]);
  all.sort((x, y) => x[0] - y[0]);
  const out: [number, number][] = [];
  for (const [from, to] of all) {
    const last = out.at(-1);
    if (last && from <= last[1] + 1) last[1] = Math.max(last[1], to);
    else out.push([from, to]);
  }
  while (out.length > MAX_RANGES) {
    const [first, second] = out as [[number, number], [number, number]];
    out.splice(0, 2, [first[0], second[1]]);
  }
  return out;
}

/** The highest seq s ≥ `from` such that every seq in (from, s] is settled: where a resume may start. */
export function settledThrough(ranges: readonly Range[], from: number): number {
  let at = from;
  for (const [a, b] of ranges) {
    if (a > at + 1) break;
    if (b > at) at = b;
  }
  return at;
}
