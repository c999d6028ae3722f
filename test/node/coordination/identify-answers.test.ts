// The coordinator's identify queue with answers: for hosts that report them, a bucket's next identify waits
// for the previous one's answer and a window from then; overdue answers, disconnects and releases free the
// bucket; hosts that do not report answers keep grant-spaced slots. Also: commands during a handoff fail.
import { describe, expect, it } from 'vitest';
import {
  EdgeshardError,
  LEASE_PROTOCOL_VERSION as v,
  type CoordinatorMessage,
  type HostMessage,
} from '../../../protocol/index.ts';
import { emptyState } from '../../../coordination/model.ts';
import { LeaseTable, type Outgoing } from '../../../coordination/table.ts';

const CONFIG = {
  leaseTtlMs: 60_000,
  renewEveryMs: 20_000,
  identifySpacingMs: 5_000,
  identifyWindowMs: 4_000,
  identifyAnswerTimeoutMs: 15_000,
  maxHandoffs: 8,
};
const gateway = {
  maxConcurrency: 1,
  sessionStartTotal: 1000,
  sessionStartRemaining: 1000,
  sessionStartResetAfterMs: 0,
};

const of = <T extends CoordinatorMessage['type']>(out: Outgoing[], type: T, host?: string) =>
  out
    .filter((o) => o.message.type === type && (host === undefined || o.host === host))
    .map((o) => o.message as Extract<CoordinatorMessage, { type: T }>);

/** Two hosts (capacity 2 each) over 4 shards, one bucket; `answers` says whether they report answers. */
function setup(answers = true) {
  const table = new LeaseTable(emptyState(), CONFIG);
  const hello = (capacity: number): HostMessage => ({
    v,
    type: 'hello',
    id: 1,
    capacity,
    shardCount: 4,
    gateway,
    shards: [],
    ...(answers ? { answers: true } : {}),
  });
  const welcome = of(table.handle('a', hello(2), 0), 'welcome')[0]!;
  table.handle('b', hello(2), 0);
  const row = (shard: number) => table.state.shards.get(shard)!;
  const ask = (shard: number, now: number, id = shard) =>
    table.handle(row(shard).owner!, { v, type: 'identify', id, shard, epoch: row(shard).epoch }, now);
  const answer = (shard: number, now: number) =>
    table.handle(row(shard).owner!, { v, type: 'answered', shard, epoch: row(shard).epoch }, now);
  const onA = [...table.state.shards.values()].filter((r) => r.owner === 'a').map((r) => r.shard);
  const onB = [...table.state.shards.values()].filter((r) => r.owner === 'b').map((r) => r.shard);
  return { table, welcome, row, ask, answer, a: onA[0]!, b: onB[0]!, b2: onB[1]! };
}

describe('identify queue with answers', () => {
  it('tells hosts it takes answers', () => {
    expect(setup().welcome.answers).toBe(true);
  });

  it('holds the next identify of a bucket until the previous is answered, then grants a window after the answer', () => {
    const t = setup();
    expect(of(t.ask(t.a, 0), 'identify-grant')[0]!.waitMs).toBe(0);
    expect(t.ask(t.b, 100)).toEqual([]); // queued, no answer yet
    const granted = of(t.answer(t.a, 2_000), 'identify-grant', 'b')[0]!;
    // From the answer at 2000: the window (4000) → 6000, later than the grant spacing (5000): waits 4000.
    expect(granted).toMatchObject({ id: t.b, shard: t.b, waitMs: 4_000 });
  });

  it('an answer frees the bucket one window after it, without the travel margin (receipt came first)', () => {
    const t = setup();
    t.ask(t.a, 0);
    t.ask(t.b, 0);
    expect(of(t.answer(t.a, 300), 'identify-grant')[0]!.waitMs).toBe(4_000);
  });

  it('a host that does not report answers keeps the window plus the travel margin between grants', () => {
    const t = setup(false);
    expect(of(t.ask(t.a, 0), 'identify-grant')[0]!.waitMs).toBe(0);
    expect(of(t.ask(t.b, 0), 'identify-grant')[0]!.waitMs).toBe(5_000);
  });

  it('serves queued requests in order, one answer at a time; asking again keeps the place', () => {
    const t = setup();
    t.ask(t.a, 0);
    t.ask(t.b, 0);
    t.ask(t.b2, 0);
    expect(t.ask(t.b, 10, 99)).toEqual([]); // re-asked with a new id: same place
    expect(of(t.answer(t.a, 1_000), 'identify-grant').map((g) => [g.shard, g.id])).toEqual([[t.b, 99]]);
    expect(of(t.answer(t.b, 6_000), 'identify-grant').map((g) => g.shard)).toEqual([t.b2]);
  });

  it('moves on when an answer is overdue, on the alarm', () => {
    const t = setup();
    t.ask(t.a, 0);
    t.ask(t.b, 0);
    expect(t.table.nextDeadline(1)).toBeLessThanOrEqual(15_000);
    expect(of(t.table.tick(14_999), 'identify-grant')).toEqual([]);
    expect(of(t.table.tick(15_000), 'identify-grant').map((g) => g.shard)).toEqual([t.b]);
  });

  it('frees the bucket a full spacing after the awaited host releases the shard', () => {
    const t = setup();
    t.ask(t.a, 0);
    t.ask(t.b, 0);
    const released = t.table.handle(
      'a',
      { v, type: 'released', shard: t.a, epoch: t.row(t.a).epoch, session: null, reason: 'test' },
      2_000,
    );
    expect(of(released, 'identify-grant', 'b')[0]!.waitMs).toBe(5_000);
  });

  it('grants on disconnect of the awaited host', () => {
    const t = setup();
    t.ask(t.a, 0);
    t.ask(t.b, 0);
    expect(of(t.table.disconnected('a', 1_000), 'identify-grant', 'b')[0]!.waitMs).toBe(5_000);
  });

  it('ignores an answer from a host that was not awaited', () => {
    const t = setup();
    t.ask(t.a, 0);
    t.ask(t.b, 0);
    expect(of(t.answer(t.b, 500), 'identify-grant')).toEqual([]);
    expect(of(t.answer(t.a, 600), 'identify-grant').map((g) => g.shard)).toEqual([t.b]);
  });

  it('spaces grants only, as before, for hosts that do not report answers', () => {
    const t = setup(false);
    expect(of(t.ask(t.a, 0), 'identify-grant')[0]!.waitMs).toBe(0);
    expect(of(t.ask(t.b, 0), 'identify-grant')[0]!.waitMs).toBe(5_000);
    expect(of(t.ask(t.b2, 0), 'identify-grant')[0]!.waitMs).toBe(10_000);
  });
});

describe('gateway commands during a handoff', () => {
  it('fails with not_available while the owner is asked to release the shard', () => {
    const t = setup();
    const shard = t.a;
    const guild = String((BigInt(1_700_000_000_000 + shard) << 22n) + 0n);
    const guildShard = Number((BigInt(guild) >> 22n) % 4n);
    const row = t.row(guildShard);
    expect(t.table.command(guild, { op: 3, d: {} }).host).toBe(row.owner);
    Object.assign(row, { phase: 'handoff', handoffTo: 'b' });
    let err: unknown;
    try {
      t.table.command(guild, { op: 3, d: {} });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(EdgeshardError);
    expect(err).toMatchObject({ code: 'not_available', message: expect.stringContaining('is moving from') });
  });
});
