// Lease messages: one row per malformed input, each naming its field.
import { describe, expect, it } from 'vitest';
import { LEASE_PROTOCOL_VERSION as v, parseCoordinatorMessage, parseHostMessage } from '../../../protocol/index.ts';

const limits = { maxConcurrency: 1, sessionStartTotal: 1000, sessionStartRemaining: 999, sessionStartResetAfterMs: 0 };
const report = {
  shard: 0,
  epoch: 1,
  state: 'ready',
  session: { sessionId: 's', resumeUrl: 'wss://gateway.discord.gg', seq: 3 },
  latencyMs: 5,
  guilds: 2,
  lastEventAgeMs: 0,
};

describe('lease protocol', () => {
  it('round-trips every host message', () => {
    for (const m of [
      { v, type: 'hello', id: 1, capacity: 2, shardCount: 4, gateway: limits, shards: [report] },
      {
        v,
        type: 'renew',
        id: 2,
        shards: [{ ...report, session: null, guilds: null, latencyMs: null, lastEventAgeMs: null }],
      },
      { v, type: 'released', shard: 1, epoch: 2, session: null, reason: 'x' },
      { v, type: 'identify', id: 3, shard: 1, epoch: 2 },
      { v, type: 'answered', shard: 1, epoch: 2 },
      { v, type: 'hello', id: 1, capacity: 2, shardCount: 4, gateway: limits, shards: [], answers: true },
      { v, type: 'bye' },
    ])
      expect(parseHostMessage(JSON.parse(JSON.stringify(m)))).toEqual(m);
  });

  it.each([
    [{ v: 2, type: 'bye' }, 'unsupported version 2'],
    [{ v, type: 'nope' }, 'unknown type "nope"'],
    [
      { v, type: 'hello', id: 1, capacity: 0, shardCount: 4, gateway: limits, shards: [] },
      '"capacity" must be a positive integer',
    ],
    [
      { v, type: 'hello', id: 1, capacity: 1, shardCount: 4, gateway: { ...limits, maxConcurrency: 0 }, shards: [] },
      'gateway.maxConcurrency',
    ],
    [{ v, type: 'renew', id: 1, shards: [{ ...report, epoch: -1 }] }, 'shards[0].epoch'],
    [
      { v, type: 'renew', id: 1, shards: [{ ...report, session: { sessionId: '', resumeUrl: 'x', seq: 1 } }] },
      'shards[0].session.sessionId',
    ],
    [{ v, type: 'identify', id: 1, shard: 'a', epoch: 1 }, '"id", "shard" and "epoch"'],
    [{ v, type: 'answered', shard: 1 }, '"shard" and "epoch"'],
  ])('refuses %j naming the field', (input, message) => {
    expect(() => parseHostMessage(input)).toThrow(message);
  });

  it('parses coordinator messages and refuses malformed ones', () => {
    expect(parseCoordinatorMessage({ v, type: 'assign', shard: 1, epoch: 2, shardCount: 4, session: null })).toEqual({
      v,
      type: 'assign',
      shard: 1,
      epoch: 2,
      shardCount: 4,
      session: null,
    });
    // `answers` is optional both ways, so a host and a coordinator of different versions still talk.
    expect(
      parseCoordinatorMessage({ v, type: 'welcome', leaseTtlMs: 1, renewEveryMs: 1, shardCount: 1, answers: true }),
    ).toMatchObject({ answers: true });
    expect(
      parseCoordinatorMessage({ v, type: 'welcome', leaseTtlMs: 1, renewEveryMs: 1, shardCount: 1 }),
    ).not.toHaveProperty('answers');
    expect(() => parseCoordinatorMessage({ v, type: 'revoke', shard: 1, epoch: 2, reason: 'because' })).toThrow(
      '"reason" must be rebalance or stale',
    );
    expect(() => parseCoordinatorMessage({ v, type: 'command', shard: 1, epoch: 2, payload: { d: 1 } })).toThrow(
      '"payload" must be a gateway command',
    );
  });
});
