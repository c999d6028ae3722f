// The lease table, sans-IO: assignment by capacity, expiry with a new epoch, handoff by release, stale
// reports, the identify queue. Time is a number we move by hand.
import { describe, expect, it } from 'vitest';
import {
  LEASE_PROTOCOL_VERSION as v,
  type CoordinatorMessage,
  type HostMessage,
  type ShardReport,
} from '../../../protocol/index.ts';
import { pickHost, targets } from '../../../coordination/balance.ts';
import { emptyState } from '../../../coordination/model.ts';
import { LeaseTable, RECONNECT_CAP_MS, type Outgoing } from '../../../coordination/table.ts';

const CONFIG = {
  leaseTtlMs: 3_000,
  renewEveryMs: 1_000,
  identifySpacingMs: 5_000,
  identifyWindowMs: 4_000,
  identifyAnswerTimeoutMs: 15_000,
  maxHandoffs: 8,
};
const gateway = {
  maxConcurrency: 2,
  sessionStartTotal: 1000,
  sessionStartRemaining: 1000,
  sessionStartResetAfterMs: 0,
};

function hello(capacity = 10, shards: ShardReport[] = [], shardCount = 6): HostMessage {
  return { v, type: 'hello', id: 1, capacity, shardCount, gateway, shards };
}

const of = <T extends CoordinatorMessage['type']>(out: Outgoing[], type: T, host?: string) =>
  out
    .filter((o) => o.message.type === type && (host === undefined || o.host === host))
    .map((o) => o.message as Extract<CoordinatorMessage, { type: T }>);

function ready(table: LeaseTable, host: string, now: number): Outgoing[] {
  const shards: ShardReport[] = [...table.state.shards.values()]
    .filter((r) => r.owner === host)
    .map((r) => ({
      shard: r.shard,
      epoch: r.epoch,
      state: 'ready',
      session: { sessionId: `s${r.shard}`, resumeUrl: 'wss://resume', seq: 10 + r.shard },
      latencyMs: 40,
      guilds: 3,
      lastEventAgeMs: 5,
    }));
  return table.handle(host, { v, type: 'renew', id: 2, shards }, now);
}

describe('balance', () => {
  it.each([
    {
      hosts: [
        ['a', 10],
        ['b', 10],
        ['c', 10],
      ],
      shards: 8,
      want: { a: 3, b: 3, c: 2 },
    },
    {
      hosts: [
        ['a', 10],
        ['b', 10],
        ['c', 10],
        ['d', 10],
      ],
      shards: 8,
      want: { a: 2, b: 2, c: 2, d: 2 },
    },
    {
      hosts: [
        ['a', 30],
        ['b', 10],
      ],
      shards: 8,
      want: { a: 6, b: 2 },
    },
    {
      hosts: [
        ['a', 2],
        ['b', 2],
      ],
      shards: 8,
      want: { a: 2, b: 2 },
    }, // never above capacity
    { hosts: [['a', 5]], shards: 3, want: { a: 3 } },
  ])('spreads $shards shards over $hosts by capacity', ({ hosts, shards, want }) => {
    const t = targets(
      hosts.map(([id, capacity]) => ({ id: id as string, capacity: capacity as number })),
      shards,
    );
    expect(Object.fromEntries(t)).toEqual(want);
  });

  it('picks the host with most room, never one at capacity', () => {
    const hosts = [
      { id: 'a', capacity: 2 },
      { id: 'b', capacity: 4 },
    ];
    expect(
      pickHost(
        hosts,
        new Map([
          ['a', 1],
          ['b', 1],
        ]),
        new Map([
          ['a', 2],
          ['b', 4],
        ]),
      ),
    ).toBe('b');
    expect(
      pickHost(
        hosts,
        new Map([
          ['a', 2],
          ['b', 4],
        ]),
        new Map([
          ['a', 2],
          ['b', 4],
        ]),
      ),
    ).toBeNull();
  });
});

describe('LeaseTable', () => {
  it('welcomes a host, confirms its lease first, and assigns shards at epoch 1', () => {
    const table = new LeaseTable(emptyState(), CONFIG);
    const out = table.handle('a', hello(), 0);
    expect(out.map((o) => o.message.type).slice(0, 2)).toEqual(['welcome', 'renewed']);
    expect(of(out, 'assign', 'a').map((m) => [m.shard, m.epoch, m.session])).toEqual(
      [0, 1, 2, 3, 4, 5].map((s) => [s, 1, null]),
    );
  });

  it('refuses a host that disagrees on the shard count, and closes its connection', () => {
    const table = new LeaseTable(emptyState(), CONFIG);
    table.handle('a', hello(), 0);
    const out = table.handle('b', hello(10, [], 8), 0);
    expect(out).toEqual([
      expect.objectContaining({
        host: 'b',
        close: true,
        message: expect.objectContaining({ type: 'error', code: 'shard_count_mismatch' }),
      }),
    ]);
  });

  it('moves surplus ready shards to a joining host by revoke → release → assign with the session and a new epoch', () => {
    const table = new LeaseTable(emptyState(), CONFIG);
    table.handle('a', hello(), 0);
    ready(table, 'a', 100);
    const join = table.handle('b', hello(), 200);
    const revokes = of(join, 'revoke', 'a');
    expect(revokes.map((r) => [r.shard, r.reason])).toEqual([
      [5, 'rebalance'],
      [4, 'rebalance'],
      [3, 'rebalance'],
    ]);
    expect(of(join, 'assign', 'b')).toEqual([]); // nothing moves before the owner lets go
    const out = table.handle(
      'a',
      {
        v,
        type: 'released',
        shard: 5,
        epoch: 1,
        session: { sessionId: 's5', resumeUrl: 'wss://resume', seq: 99 },
        reason: 'moving',
      },
      300,
    );
    expect(of(out, 'assign', 'b')).toEqual([
      {
        v,
        type: 'assign',
        shard: 5,
        epoch: 2,
        shardCount: 6,
        session: { sessionId: 's5', resumeUrl: 'wss://resume', seq: 99 },
      },
    ]);
  });

  it('never moves a shard that is not ready with a session (moving it would cost an identify)', () => {
    const table = new LeaseTable(emptyState(), CONFIG);
    table.handle('a', hello(), 0);
    expect(of(table.handle('b', hello(), 100), 'revoke')).toEqual([]);
  });

  it('gives the shards of an expired host to the live ones at a new epoch, with the last reported session', () => {
    const table = new LeaseTable(emptyState(), CONFIG);
    table.handle('b', hello(3), 0);
    table.handle('a', hello(6), 0);
    ready(table, 'a', 500);
    ready(table, 'b', 500);
    const bShards = [...table.state.shards.values()].filter((r) => r.owner === 'b').map((r) => r.shard);
    ready(table, 'a', 2_500); // a renews, b has gone silent since 500
    expect(table.nextDeadline(2_500)).toBe(3_500);
    const out = table.tick(3_500);
    const assigns = of(out, 'assign', 'a');
    expect(assigns.map((m) => m.shard).sort()).toEqual(bShards);
    expect(
      assigns.every((m) => m.epoch === 2 && m.session?.sessionId === `s${m.shard}` && m.session.seq === 10 + m.shard),
    ).toBe(true);
  });

  it('expires nothing when every host went silent (its own outage): each gets the TTL plus the reconnect cap', () => {
    const table = new LeaseTable(emptyState(), CONFIG);
    table.handle('a', hello(3), 0);
    table.handle('b', hello(3), 0);
    ready(table, 'a', 500);
    ready(table, 'b', 500);
    const owners = () => [...table.state.shards.values()].map((r) => `${r.shard}:${r.owner}@${r.epoch}`);
    const before = owners();
    // Nobody is heard for 150 s (the Worker was down). The alarm fires: no lease expires, nothing moves.
    expect(table.tick(150_000)).toEqual([]);
    expect(owners()).toEqual(before);
    expect([...table.state.hosts.values()].map((h) => h.leaseExpiresAt)).toEqual([
      150_000 + CONFIG.leaseTtlMs + RECONNECT_CAP_MS,
      150_000 + CONFIG.leaseTtlMs + RECONNECT_CAP_MS,
    ]);
    // a comes back first (its first message, again after silence, restarts the window for everyone); b is
    // still within its window: b keeps its shards.
    ready(table, 'a', 155_000);
    const window = 155_000 + CONFIG.leaseTtlMs + RECONNECT_CAP_MS;
    expect(table.state.hosts.get('b')!.leaseExpiresAt).toBe(window);
    for (let t = 156_000; t < window; t += 1_000) ready(table, 'a', t);
    expect(owners()).toEqual(before);
    // b never comes back: once its window passes while a is heard, b's lease expires (a has no room for them).
    const ofB = [...table.state.shards.values()].filter((r) => r.owner === 'b').map((r) => r.shard);
    table.tick(window);
    expect(ofB.map((n) => table.state.shards.get(n)!.state)).toEqual(['orphaned', 'orphaned', 'orphaned']);
  });

  it('keeps a host whose connection dropped until its lease expires, and re-sends assignments it missed', () => {
    const table = new LeaseTable(emptyState(), CONFIG);
    table.handle('a', hello(), 0);
    table.disconnected('a', 100);
    expect(of(table.tick(1_000), 'assign')).toEqual([]);
    const back = table.handle(
      'a',
      hello(10, [
        { shard: 0, epoch: 1, state: 'ready', session: null, latencyMs: null, guilds: 0, lastEventAgeMs: null },
      ]),
      1_500,
    );
    expect(of(back, 'assign', 'a').map((m) => m.shard)).toEqual([1, 2, 3, 4, 5]);
    expect([...table.state.shards.values()].every((r) => r.epoch === 1)).toBe(true);
  });

  it('revokes what a host runs at a stale epoch', () => {
    const table = new LeaseTable(emptyState(), CONFIG);
    table.handle('a', hello(), 0);
    const out = table.handle(
      'b',
      hello(10, [
        { shard: 2, epoch: 1, state: 'ready', session: null, latencyMs: null, guilds: 0, lastEventAgeMs: null },
      ]),
      10,
    );
    expect(of(out, 'revoke', 'b')).toEqual([{ v, type: 'revoke', shard: 2, epoch: 1, reason: 'stale' }]);
  });

  it('spaces identifies per max_concurrency bucket across hosts and stops at session_start_limit.remaining', () => {
    const table = new LeaseTable(emptyState(), CONFIG);
    table.handle(
      'a',
      {
        ...hello(3),
        gateway: { ...gateway, sessionStartRemaining: 3, sessionStartResetAfterMs: 3_600_000 },
      } as HostMessage,
      0,
    );
    table.handle('b', hello(3), 0);
    const epoch = (s: number) => table.epochOf(s);
    const owner = (s: number) => table.state.shards.get(s)!.owner!;
    const ask = (shard: number, now: number) =>
      table.handle(owner(shard), { v, type: 'identify', id: shard, shard, epoch: epoch(shard) }, now);
    const waits = [0, 2, 4].map((s) => of(ask(s, 0), 'identify-grant')[0]!.waitMs); // bucket 0 (shard % 2)
    expect(waits).toEqual([0, 5_000, 10_000]);
    const denied = of(ask(1, 0), 'identify-wait')[0]!; // bucket 1 is free, but the day's budget is spent
    expect(denied.reason).toContain('session_start_limit.remaining is 0');
    expect(table.state.globals.sessionStartRemaining).toBe(0);
  });

  it('refuses an identify slot to a host that does not own the shard at that epoch', () => {
    const table = new LeaseTable(emptyState(), CONFIG);
    table.handle('a', hello(), 0);
    const out = table.handle('a', { v, type: 'identify', id: 7, shard: 0, epoch: 9 }, 0);
    expect(of(out, 'identify-wait')[0]!.reason).toContain('does not own shard 0 at epoch 9');
  });

  it('routes a gateway command to the owner of the guild shard', () => {
    const table = new LeaseTable(emptyState(), CONFIG);
    table.handle('a', hello(3), 0);
    table.handle('b', hello(3), 0);
    const guild = String((5n << 22n) | 123n); // (id >> 22) % 6 = 5
    const out = table.command(guild, { op: 3, d: { status: 'idle' } });
    expect(out).toEqual({
      host: table.state.shards.get(5)!.owner,
      message: { v, type: 'command', shard: 5, epoch: 1, payload: { op: 3, d: { status: 'idle' } } },
    });
  });
});
