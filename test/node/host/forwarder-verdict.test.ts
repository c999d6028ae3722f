import { describe, expect, it } from 'vitest';
import type { EventResult } from '../../../protocol/index.ts';
import { verdict, type Verdict } from '../../../shard-host/forwarder/verdict.ts';

const id = 'discord:0:s:1';

describe('verdict: one event result of a 200 answer, with maxAttempts 5 (a test per row)', () => {
  const rows: [what: string, result: EventResult | undefined, failedBefore: number, expected: Verdict][] = [
    ['ack', { id, outcome: 'ack' }, 3, { kind: 'ack' }],
    [
      'fenced (a newer lease epoch owns the shard), even after handler failures',
      { id, outcome: 'fenced', error: 'stale lease epoch 2 for shard 0 (current 3)' },
      2,
      { kind: 'fenced', reason: 'stale lease epoch 2 for shard 0 (current 3)' },
    ],
    [
      'Worker dead-letter',
      { id, outcome: 'dead-letter', error: 'malformed_payload: x' },
      0,
      { kind: 'dead-letter', reason: 'malformed_payload: x' },
    ],
    [
      'first handler failure',
      { id, outcome: 'retry', error: 'TypeError' },
      0,
      { kind: 'retry', reason: 'TypeError', handlerFailures: 1 },
    ],
    [
      'fourth handler failure',
      { id, outcome: 'retry', error: 'TypeError' },
      3,
      { kind: 'retry', reason: 'TypeError', handlerFailures: 4 },
    ],
    [
      'fifth (last) handler failure',
      { id, outcome: 'retry', error: 'TypeError' },
      4,
      { kind: 'dead-letter', reason: 'handler failed on all 5 attempts (EDGESHARD_MAX_ATTEMPTS): TypeError' },
    ],
    [
      'handler failure without error text',
      { id, outcome: 'retry' },
      0,
      { kind: 'retry', reason: 'handler failed (no error text)', handlerFailures: 1 },
    ],
    // Not a handler failure: never counted, never dead-lettered for it.
    [
      'no result for the event',
      undefined,
      4,
      { kind: 'retry', reason: 'the Worker did not answer for this event', handlerFailures: 0 },
    ],
  ];
  for (const [what, result, failedBefore, expected] of rows) {
    it(`${what} → ${expected.kind}`, () => {
      expect(verdict(result, failedBefore, 5)).toEqual(expected);
    });
  }

  it('dead-letters on the first failure when maxAttempts is 1', () => {
    expect(verdict({ id, outcome: 'retry', error: 'E' }, 0, 1)).toEqual({
      kind: 'dead-letter',
      reason: 'handler failed on all 1 attempt (EDGESHARD_MAX_ATTEMPTS): E',
    });
  });
});
