// The reshard state machine in the sans-IO lease table: start refusals, the new generation placed beside the
// old one, the switch point, the window, roll back, the automatic trigger. Time is a number moved by hand.
import { describe, expect, it } from 'vitest';
import {
  LEASE_PROTOCOL_VERSION as v,
  type CoordinatorMessage,
  type HostMessage,
  type ShardReport,
} from '../../../protocol/index.ts';
import { emptyState, type ShardRow } from '../../../coordination/model.ts';
import {
  autoCount,
  guildTrigger,
  identifyFloorMs,
  parseReshardAt,
  readyToSwitch,
  SWITCH_WINDOW_MS,
} from '../../../coordination/reshard.ts';
import { LeaseTable, type Outgoing, type TableOptions } from '../../../coordination/table.ts';

const CONFIG = {
  leaseTtlMs: 3_000,
  renewEveryMs: 1_000,
  identifySpacingMs: 5_500,
  identifyWindowMs: 5_000,
  identifyAnswerTimeoutMs: 15_000,
  maxHandoffs: 8,
};

function hello(capacity: number, remaining = 1000, shardCount = 2): HostMessage {
  const gateway = {
    maxConcurrency: 2,
    sessionStartTotal: 1000,
    sessionStartRemaining: remaining,
    sessionStartResetAfterMs: 3_600_000,
  };
  return { v, type: 'hello', id: 1, capacity, shardCount, gateway, shards: [] };
}

const of = <T extends CoordinatorMessage['type']>(out: Outgoing[], type: T, host?: string) =>
  out
    .filter((o) => o.message.type === type && (host === undefined || o.host === host))
    .map((o) => o.message as Extract<CoordinatorMessage, { type: T }>);

/** Every row the host owns, of both generations. */
function owned(table: LeaseTable, host: string): ShardRow[] {
  const r = table.state.reshard;
  const next = r.kind === 'identifying' ? [...r.rows.values()] : [];
  const retired = r.kind === 'switching' ? [...r.retired.values()] : [];
  return [...table.state.shards.values(), ...next, ...retired].filter((x) => x.owner === host);
}

/** The host renews, reporting each of its shards ready; `pending` guilds still to come on new ones. */
function renew(table: LeaseTable, host: string, now: number, pending = 0, guilds = 3): Outgoing[] {
  const shards: ShardReport[] = owned(table, host).map((r) => ({
    shard: r.shard,
    epoch: r.epoch,
    state: 'ready',
    session: { sessionId: `s${r.count}-${r.shard}`, resumeUrl: 'wss://resume', seq: 5 },
    latencyMs: 40,
    guilds,
    lastEventAgeMs: 5,
    guildsPending: pending,
  }));
  return table.handle(host, { v, type: 'renew', id: 2, shards }, now);
}

/** Two hosts of capacity 4 running 2 shards, both ready. */
function running(options: TableOptions = {}, remaining = 1000): LeaseTable {
  const table = new LeaseTable(emptyState(), CONFIG, null, options);
  table.handle('a', hello(4, remaining), 0);
  table.handle('b', hello(4, remaining), 0);
  // b joined after a took both: a hands one over.
  const revoke = of(renew(table, 'a', 10), 'revoke', 'a')[0]!;
  table.handle('a', { v, type: 'released', shard: revoke.shard, epoch: revoke.epoch, session: null, reason: 'x' }, 20);
  renew(table, 'a', 30);
  renew(table, 'b', 30);
  return table;
}

describe('reshard: pure rules', () => {
  it.each([
    [0, 2, 0.8, null, 4, 4, 'at least one more, rounded to max_concurrency'],
    [4000, 2, 0.8, null, 4, 4, '4000 guilds at 1000 per shard'],
    [9000, 2, 0.8, null, 4, 12, '9000 guilds: 9 shards, rounded up to 12'],
    [100, 2, 0.8, 16, 4, 16, 'the recommendation wins when higher'],
  ])(
    'autoCount(%i guilds, %i shards, at %f, recommended %s, mc %i) = %i: %s',
    (g, c, at, rec, mc, want, _why: string) => {
      expect(autoCount(g, c, mc, at, rec)).toBe(want);
    },
  );

  it('triggers at the share of shards × 2500, never when off', () => {
    expect(guildTrigger(3999, 2, 0.8)).toBe(null);
    expect(guildTrigger(4000, 2, 0.8)).toBe('4000 guilds reached EDGESHARD_RESHARD_AT 0.8 of 2 shards × 2500');
    expect(guildTrigger(1e9, 2, null)).toBe(null);
  });

  it('parses EDGESHARD_RESHARD_AT', () => {
    expect(parseReshardAt(undefined)).toBe(0.8);
    expect(parseReshardAt('off')).toBe(null);
    expect(parseReshardAt('0.5')).toBe(0.5);
    expect(parseReshardAt('2')).toBe('EDGESHARD_RESHARD_AT must be a number in (0, 1] or "off", got "2"');
  });

  it('computes the identify floor of a generation', () => {
    expect(identifyFloorMs(32, 4, 5_000)).toBe(35_000);
    expect(identifyFloorMs(4, 2, 5_000)).toBe(5_000);
    expect(identifyFloorMs(1, 1, 5_000)).toBe(0);
  });

  it('switches only when there are rows and each is assigned, ready, with no guild pending', () => {
    expect(readyToSwitch(new Map())).toBe(false);
  });
});

describe('reshard: the lease table', () => {
  it('refuses to start without identify budget, saying when it resets', () => {
    const table = running({}, 3);
    expect(() => table.reshard(4, 'manual', 100)).toThrow(
      'reshard to 4 shards refused: session_start_limit.remaining is 3, the new generation needs 4 identifies: retry after 1970-01-01T01:00:00.000Z (in 60 min)',
    );
    expect(table.state.reshard.kind).toBe('idle');
  });

  it('refuses with one live host, the same count, or while another reshard runs', () => {
    const single = new LeaseTable(emptyState(), CONFIG);
    single.handle('a', hello(8), 0);
    expect(() => single.reshard(4, 'manual', 10)).toThrow('needs a second live host');
    const table = running();
    expect(() => table.reshard(2, 'manual', 100)).toThrow('the bot already runs 2 shards');
    expect(() => table.reshard(9, 'manual', 100)).toThrow('the live hosts can run 8 shards of a generation, not 9');
    table.reshard(4, 'manual', 100);
    expect(() => table.reshard(8, 'manual', 100)).toThrow('a reshard 2 → 4 is in progress (identifying)');
  });

  it('2 → 4: places the new generation beside the old, switches when every new shard has its guilds, retires the old', () => {
    const logs: string[] = [];
    const table = running({ log: (m) => logs.push(m) });
    const oldRows = [...table.state.shards.values()].map((r) => ({ shard: r.shard, owner: r.owner!, epoch: r.epoch }));
    const maxOld = Math.max(...oldRows.map((r) => r.epoch));
    const out = table.reshard(4, 'manual', 100);
    const assigns = of(out, 'assign');
    expect(assigns.map((a) => [a.shard, a.shardCount]).sort()).toEqual([
      [0, 4],
      [1, 4],
      [2, 4],
      [3, 4],
    ]);
    // No host runs one id in two generations; every new epoch is above every old one, and unique.
    for (const a of of(out, 'assign')) {
      const host = out.find((o) => o.message === a)!.host;
      expect(oldRows.some((o) => o.shard === a.shard && o.owner === host)).toBe(false);
      expect(a.epoch > maxOld).toBe(true);
    }
    expect(new Set(assigns.map((a) => a.epoch)).size).toBe(4);
    expect(of(out, 'assign', 'a').length).toBe(2);
    expect(of(out, 'assign', 'b').length).toBe(2);
    // The old generation still serves; the new one's batches are acknowledged, not run.
    for (const o of oldRows) expect(table.generationOf(o.shard, o.epoch)).toBe('current');
    for (const a of assigns) expect(table.generationOf(a.shard, a.epoch)).toBe('next');
    expect(table.state.globals.shardCount).toBe(2);

    // READY but one guild still to come: no switch.
    renew(table, 'a', 200, 1);
    renew(table, 'b', 200, 0);
    expect(table.state.reshard.kind).toBe('identifying');
    expect(table.reshardView(200)).toMatchObject({ kind: 'identifying', from: 2, to: 4, ready: 2, total: 4 });
    const sw = renew(table, 'a', 300, 0);
    expect(table.state.reshard.kind).toBe('switching');
    expect(table.state.globals.shardCount).toBe(4);
    const retire = [...of(sw, 'revoke', 'a'), ...of(sw, 'revoke', 'b')];
    expect(retire.map((r) => [r.shard, r.epoch, r.reason]).sort()).toEqual(
      oldRows.map((o) => [o.shard, o.epoch, 'retired']).sort(),
    );
    // Inside the window both generations run (de-duplicated by platform id); the table routes by 4 shards.
    for (const o of oldRows) expect(table.generationOf(o.shard, o.epoch)).toBe('retired');
    for (const a of assigns) expect(table.generationOf(a.shard, a.epoch)).toBe('current');
    // A retired shard released by its host is forgotten, never reassigned.
    const first = oldRows[0]!;
    const after = table.handle(
      first.owner,
      { v, type: 'released', shard: first.shard, epoch: first.epoch, session: null, reason: 'retired' },
      400,
    );
    expect(of(after, 'assign')).toEqual([]);
    // Window over, but one old shard is still delivering its spool: its batches still run.
    table.tick(300 + SWITCH_WINDOW_MS);
    expect(table.state.reshard.kind).toBe('switching');
    // The alarm is not re-armed at the past window end (no busy loop): the next deadline is a host's.
    expect(table.nextDeadline(300 + SWITCH_WINDOW_MS)).toBe(73_300);
    const last = oldRows[1]!;
    expect(table.generationOf(last.shard, last.epoch)).toBe('retired');
    // It released: done, and the old generation's late batches are stale.
    table.handle(
      last.owner,
      { v, type: 'released', shard: last.shard, epoch: last.epoch, session: null, reason: 'x' },
      300 + SWITCH_WINDOW_MS + 5,
    );
    expect(table.state.reshard.kind).toBe('done');
    for (const o of oldRows) expect(table.generationOf(o.shard, o.epoch)).toBe('stale');
    expect(logs).toEqual([
      'reshard idle → identifying (manual)',
      'reshard identifying → switching (every one of the 4 new shards is READY with its guilds: they serve now, the 2 old ones close)',
      'reshard switching → done (switch window over and every old shard released: the old generation is gone)',
    ]);
  });

  it('routes identify requests of the new generation through the one queue, by bucket', () => {
    const table = running();
    const assigns = of(table.reshard(4, 'manual', 100), 'assign');
    const a0 = assigns.find((a) => a.shard === 0)!;
    const a2 = assigns.find((a) => a.shard === 2)!;
    const host0 = [...table.state.hosts.keys()].find((h) => owned(table, h).some((r) => r.epoch === a0.epoch))!;
    const host2 = [...table.state.hosts.keys()].find((h) => owned(table, h).some((r) => r.epoch === a2.epoch))!;
    const g0 = table.handle(host0, { v, type: 'identify', id: 7, shard: 0, epoch: a0.epoch }, 1000);
    expect(of(g0, 'identify-grant').map((g) => g.waitMs)).toEqual([0]);
    // Shard 2 shares bucket 0 (max_concurrency 2): a full spacing later.
    const g2 = table.handle(host2, { v, type: 'identify', id: 8, shard: 2, epoch: a2.epoch }, 1000);
    expect(of(g2, 'identify-grant').map((g) => g.waitMs)).toEqual([5_500]);
  });

  it('cancel rolls back: the new generation is closed for good and its batches are refused', () => {
    const table = running();
    const assigns = of(table.reshard(4, 'manual', 100), 'assign');
    const out = table.cancelReshard(200);
    expect(of(out, 'revoke').map((r) => r.reason)).toEqual(['retired', 'retired', 'retired', 'retired']);
    expect(table.state.reshard).toMatchObject({ kind: 'rolled-back', why: 'cancelled by the operator' });
    expect(table.state.globals.shardCount).toBe(2);
    for (const a of assigns) expect(table.generationOf(a.shard, a.epoch)).toBe('stale');
    expect(() => table.cancelReshard(300)).toThrow('no reshard can be cancelled now (rolled-back)');
    // And another may start.
    expect(of(table.reshard(4, 'again', 400), 'assign').length).toBe(4);
  });

  it('rolls back by itself when the new generation is not ready by its deadline', () => {
    const table = running();
    table.reshard(4, 'manual', 100);
    const r = table.state.reshard;
    if (r.kind !== 'identifying') throw new Error('expected identifying');
    expect(table.nextDeadline(200)).toBeLessThanOrEqual(r.deadline);
    table.tick(r.deadline);
    expect(table.state.reshard).toMatchObject({
      kind: 'rolled-back',
      why: 'not every new shard was READY with its guilds in time',
    });
  });

  it('a host lost mid-reshard: the serving generation comes first (roll back), nothing of it stays unowned', () => {
    const table = running();
    table.reshard(4, 'manual', 100);
    renew(table, 'a', 1_000, 1);
    renew(table, 'a', 2_000, 1);
    // b falls silent: its lease expires after the TTL while a keeps renewing. a runs new shards with the id
    // of b's old shard, so it cannot take that shard while the reshard goes on.
    const out = renew(table, 'a', 3_500, 1);
    expect(table.state.reshard).toMatchObject({ kind: 'rolled-back' });
    expect((table.state.reshard as { why: string }).why).toMatch(/^shard \d of the serving generation lost its host/);
    expect(of(out, 'revoke', 'a').map((r) => r.reason)).toEqual(['retired', 'retired']);
    expect([...table.state.shards.values()].map((r) => [r.shard, r.owner, r.count])).toEqual([
      [0, 'a', 2],
      [1, 'a', 2],
    ]);
    expect(of(out, 'assign', 'a').map((m) => m.shardCount)).toEqual([2]);
  });

  it('starts by itself when the guild count reaches EDGESHARD_RESHARD_AT, and logs why', () => {
    const logs: string[] = [];
    const table = running({ reshardAt: 0.8, log: (m) => logs.push(m) });
    renew(table, 'a', 100, 0, 1999);
    expect(table.state.reshard.kind).toBe('idle');
    renew(table, 'b', 200, 0, 2001);
    expect(table.state.reshard).toMatchObject({ kind: 'identifying', from: 2, to: 4 });
    expect(logs[0]).toBe('automatic reshard 2 → 4: 4000 guilds reached EDGESHARD_RESHARD_AT 0.8 of 2 shards × 2500');
  });

  it('a resumed shard (guilds unknown) reports joined guilds as a delta from its assignment: the trigger counts them', () => {
    const table = running({ reshardAt: 0.8 });
    // host-b resumed its shard by handoff when it had 3 guilds; since then 3994 joined.
    const rows = owned(table, 'b');
    const shards: ShardReport[] = rows.map((r) => ({
      shard: r.shard,
      epoch: r.epoch,
      state: 'ready',
      session: null,
      latencyMs: 1,
      guilds: null,
      lastEventAgeMs: 1,
      guildsDelta: 3994,
    }));
    table.handle('b', { v, type: 'renew', id: 3, shards }, 100);
    expect(rows.map((r) => r.guilds)).toEqual([3997]);
    expect(table.state.reshard).toMatchObject({ kind: 'identifying', from: 2, to: 4 });
  });

  it('4011 from a shard starts a reshard even below the threshold; a refused one is logged and not retried at once', () => {
    const logs: string[] = [];
    const table = running({ reshardAt: 0.8, log: (m) => logs.push(m) }, 1);
    table.shardingRequired(1, 100);
    expect(table.state.reshard.kind).toBe('idle');
    expect(logs[0]).toContain('automatic reshard 2 → 4 not started: session_start_limit.remaining is 1');
    table.shardingRequired(1, 200);
    expect(logs.length).toBe(1);
  });
});
