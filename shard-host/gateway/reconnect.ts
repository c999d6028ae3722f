// What comes after a connection ends, and how long to wait before the next one. Kept beside backoff.ts so
// the shard's reconnect policy reads as data: first retry at once (op 7 says "immediately"), then
// exponential backoff with full jitter, never a tight loop; a wait the server or the identify budget asked
// for (op 9's 1–5 s, a breaker's reset time) is a floor.
import type { EdgeshardError } from '../../protocol/errors.ts';
import { backoff, DEFAULT_BACKOFF } from './backoff.ts';
import type { Next } from './state.ts';

export type After =
  | { kind: 'reconnect'; next: Next; delayMs: number }
  | { kind: 'stop'; resumable: boolean }
  | { kind: 'fatal'; error: EdgeshardError };

/** Delay before reconnect attempt `attempt` (0 = the first since the last READY/RESUMED). */
export function reconnectDelay(
  attempt: number,
  floorMs: number,
  options: { baseMs: number; maxMs: number } | undefined,
  random: () => number,
): number {
  const jitter = attempt === 0 ? 0 : backoff(attempt - 1, { ...DEFAULT_BACKOFF, ...options, random });
  return Math.max(floorMs, jitter);
}
