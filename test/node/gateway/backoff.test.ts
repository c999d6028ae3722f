import { describe, expect, it } from 'vitest';
import { backoff } from '../../../shard-host/gateway/backoff.ts';

describe('backoff', () => {
  const opts = (r: number) => ({ baseMs: 1_000, maxMs: 60_000, random: () => r });

  it('is uniform in [0, min(max, base × 2^attempt))', () => {
    expect(backoff(0, opts(0))).toBe(0);
    expect(backoff(0, opts(0.999999))).toBe(999);
    expect(backoff(3, opts(0.5))).toBe(4_000);
    expect(backoff(3, opts(0.999999))).toBeLessThan(8_000);
  });

  it('is capped at maxMs, even for huge attempts', () => {
    for (const attempt of [6, 7, 20, 1_000, Number.MAX_SAFE_INTEGER]) {
      const d = backoff(attempt, opts(0.999999));
      expect(d).toBeLessThan(60_000);
      expect(d).toBeGreaterThan(59_000);
    }
  });

  it('stays within bounds for random inputs', () => {
    for (let attempt = 0; attempt < 40; attempt++) {
      const d = backoff(attempt, { baseMs: 500, maxMs: 30_000, random: Math.random });
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThan(Math.min(30_000, 500 * 2 ** attempt));
    }
  });

  it('treats negative attempts as the first', () => {
    expect(backoff(-3, opts(0.5))).toBe(500);
  });
});
