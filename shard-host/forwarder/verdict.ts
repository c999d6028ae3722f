// What one event's result in a 200 answer means, given how often its handlers already failed: pure, so
// the poison rule is a table with a test per row. Only a per-event `retry` (a handler failed) counts
// toward EDGESHARD_MAX_ATTEMPTS; whole-batch failures never reach this function.
import type { EventResult } from '../../protocol/index.ts';

export type Verdict =
  | { kind: 'ack' }
  /** A newer lease epoch owns the event's shard: dropped here, its new owner gets it by the platform's replay. */
  | { kind: 'fenced'; reason: string }
  | { kind: 'dead-letter'; reason: string }
  /** `handlerFailures` 0: no handler failure to count (the Worker did not answer for the event). */
  | { kind: 'retry'; reason: string; handlerFailures: number };

/** `failedBefore`: this event's handler failures in earlier answers. */
export function verdict(result: EventResult | undefined, failedBefore: number, maxAttempts: number): Verdict {
  switch (result?.outcome) {
    case 'ack':
      return { kind: 'ack' };
    case 'dead-letter':
      return { kind: 'dead-letter', reason: result.error ?? 'dead-lettered by the Worker' };
    case 'fenced':
      return { kind: 'fenced', reason: result.error ?? 'a newer lease epoch owns this shard' };
    case 'retry': {
      const failures = failedBefore + 1;
      const error = result.error ?? 'handler failed (no error text)';
      if (failures >= maxAttempts)
        return {
          kind: 'dead-letter',
          reason: `handler failed on all ${failures} attempt${failures === 1 ? '' : 's'} (EDGESHARD_MAX_ATTEMPTS): ${error}`,
        };
      return { kind: 'retry', reason: error, handlerFailures: failures };
    }
    case undefined:
      return { kind: 'retry', reason: 'the Worker did not answer for this event', handlerFailures: 0 };
  }
}
