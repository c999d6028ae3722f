// The settled-seq ranges of one session (workers/coordinator/ranges.ts): one test per rule.
import { describe, expect, it } from 'vitest';
import { add, contains, MAX_RANGES, settledThrough } from '../../workers/coordinator/ranges.ts';

describe('settled ranges', () => {
  it('merges adjacent and overlapping seqs into one range', () => {
    expect(add([], [1, 2, 3])).toEqual([[1, 3]]);
    expect(add([[1, 3]], [4, 2])).toEqual([[1, 4]]);
  });

  it('keeps a hole for an event that has not settled', () => {
    expect(add([], [1, 2, 4, 5])).toEqual([
      [1, 2],
      [4, 5],
    ]);
    expect(contains(add([], [1, 2, 4, 5]), 3)).toBe(false);
    expect(contains(add([], [1, 2, 4, 5]), 4)).toBe(true);
  });

  it('fills the hole when the retried event settles', () => {
    expect(
      add(
        [
          [1, 2],
          [4, 5],
        ],
        [3],
      ),
    ).toEqual([[1, 5]]);
  });

  it(`merges the two lowest ranges past ${MAX_RANGES}: an old hole counts as settled`, () => {
    const seqs = Array.from({ length: MAX_RANGES + 1 }, (_, i) => i * 2 + 1); // 1, 3, 5, … all apart
    const ranges = add([], seqs);
    expect(ranges).toHaveLength(MAX_RANGES);
    expect(ranges[0]).toEqual([1, 3]);
    expect(contains(ranges, 2)).toBe(true);
    expect(contains(ranges, 4)).toBe(false);
  });

  it('tells where a resume may start: past every settled seq that follows the reported one', () => {
    const ranges = add([], [1, 2, 3, 4, 5, 7]);
    expect(settledThrough(ranges, 2)).toBe(5);
    expect(settledThrough(ranges, 0)).toBe(5);
    expect(settledThrough(ranges, 6)).toBe(7);
    expect(settledThrough(ranges, 9)).toBe(9);
  });
});
