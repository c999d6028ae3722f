// Sharing global slots between lanes when they are scarce. The lane with the longest backlog decides when a
// burst ends, so it goes first; and the free slots are held back for such lanes when they will be ready
// within the second (their bucket resets), so a crowd of short lanes cannot take every slot the moment they
// free and leave the critical lane waiting a whole second for the next ones.
import type { GlobalGate } from './global.ts';
import type { Lane } from './lanes.ts';
import { exemptFromGlobal } from './routes.ts';

/** How long the lane's queue takes to drain at its bucket's pace (the global limit aside). */
export function drainMs(lane: Lane, now: number): number {
  return lane.bucket.predictMs(now, lane.queue.length);
}

/** Lanes waiting for a global slot, in the order they get one: the longest drain first. */
export function byDrain(lanes: Iterable<Lane>, now: number): Lane[] {
  return [...lanes].sort((a, b) => drainMs(b, now) - drainMs(a, now));
}

/** Whether taking a global slot for `lane` now would leave too few for a lane with a longer backlog. */
export function slotsHeld(lane: Lane, lanes: Iterable<Lane>, global: GlobalGate, now: number): boolean {
  const priority = drainMs(lane, now);
  const critical: { at: number; lane: Lane }[] = [];
  let unknown = 0;
  for (const other of lanes) {
    if (other === lane || other.queue.length === 0 || exemptFromGlobal(other.queue[0]!.path)) continue;
    if (other.bucket.mode === 'unknown') {
      // Still learning its bucket, with a longer queue than ours: keep one slot for its next request, so a
      // crowd of lanes learned a moment earlier cannot take the whole second's slots before it knows its limit.
      if (other.queue.length > lane.queue.length) unknown++;
      continue;
    }
    const wait = other.bucket.waitMs(now);
    // Waiting on a response: ready again about one window from now.
    const at = now + (wait === Infinity ? other.bucket.windowMs || 1000 : wait);
    if (at - now > 1000 || drainMs(other, now) <= priority) continue;
    critical.push({ at, lane: other });
  }
  critical.sort((a, b) => a.at - b.at);
  let needed = Math.min(unknown, global.perSecond >> 2);
  if (needed > 0 && global.freeAt(now) - 1 < needed) return true;
  for (const { at, lane: other } of critical) {
    // Every window of that lane that starts within the second needs its slots too.
    const windows = other.bucket.windowMs > 0 ? 1 + Math.floor((now + 1000 - at) / other.bucket.windowMs) : 1;
    needed += Math.min(other.queue.length, other.bucket.limit * Math.max(1, windows));
    // Taking a slot now must leave enough free when that lane is ready (slots released by then count).
    if (global.freeAt(at) - 1 < needed) return true;
  }
  return false;
}
