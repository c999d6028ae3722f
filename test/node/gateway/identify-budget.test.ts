import { describe, expect, it } from 'vitest';
import { IdentifyBudget, IdentifyBudgetExhausted } from '../../../shard-host/gateway/identify-budget.ts';
import { LocalIdentifyGate, retryAfterOf } from '../../../shard-host/gateway/identify-gate.ts';
import { FakeClock } from './fakes.ts';

const HOUR = 3_600_000;

function setup(
  remaining: number,
  reserve = 0,
  refresh?: () => Promise<{ total: number; remaining: number; reset_after: number }>,
) {
  const clock = new FakeClock(1_700_000_000_000);
  const opened: IdentifyBudgetExhausted[] = [];
  const budget = new IdentifyBudget(new LocalIdentifyGate({ maxConcurrency: 16, marginMs: 0, clock }), {
    limit: { total: 1000, remaining, reset_after: 2 * HOUR },
    reserve,
    clock,
    onOpen: (e) => opened.push(e),
    ...(refresh ? { refresh } : {}),
  });
  return { clock, budget, opened };
}

describe('identify budget (circuit breaker on session_start_limit)', () => {
  it('passes identifies while starts remain, counting them down', async () => {
    const { budget } = setup(3);
    await budget.acquire(0);
    await budget.acquire(1);
    expect(budget.remaining).toBe(1);
  });

  it('opens at the reserve: refuses with when it resets and how long to wait, and reports once', async () => {
    const { budget, opened } = setup(2, 1);
    await budget.acquire(0);
    const err = await budget.acquire(1).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IdentifyBudgetExhausted);
    expect((err as Error).message).toMatch(
      /1 of 1000 daily session starts left \(reserve 1\); not identifying until it resets at 2023-11-15T00:13:20.000Z \(in 2.0 h\)/,
    );
    expect(retryAfterOf(err)).toBe(2 * HOUR);
    await expect(budget.acquire(2)).rejects.toBeInstanceOf(IdentifyBudgetExhausted);
    expect(opened).toHaveLength(1);
    expect(budget.remaining).toBe(1);
  });

  it('after the reset time asks GET /gateway/bot again and closes when starts are back', async () => {
    let calls = 0;
    const { budget, clock } = setup(0, 0, async () => (calls++, { total: 1000, remaining: 1000, reset_after: 0 }));
    await expect(budget.acquire(0)).rejects.toBeInstanceOf(IdentifyBudgetExhausted);
    expect(calls).toBe(0);
    await clock.advance(2 * HOUR);
    await budget.acquire(0);
    expect(calls).toBe(1);
    expect(budget.remaining).toBe(999);
  });

  it('still exhausted after the reset (refresh says so): waits at least a second more, never a tight loop', async () => {
    const { budget, clock } = setup(0, 0, async () => ({ total: 1000, remaining: 0, reset_after: 0 }));
    await clock.advance(3 * HOUR);
    const err = await budget.acquire(0).catch((e: unknown) => e);
    expect(retryAfterOf(err)).toBe(1_000);
  });
});
