import { describe, expect, it } from 'vitest';
import { EdgeshardError, eventId, parseEventBatch } from '../../../protocol/index.ts';

const good = {
  id: 'discord:0:s:1',
  platform: 'discord',
  shard: 0,
  session: 's',
  seq: 1,
  type: 'READY',
  data: {},
  receivedAt: 1,
};

function reason(input: unknown): string {
  try {
    parseEventBatch(input);
    return 'accepted';
  } catch (err) {
    expect(err).toBeInstanceOf(EdgeshardError);
    return (err as EdgeshardError).message;
  }
}

describe('parseEventBatch', () => {
  it('accepts a well-formed batch', () => {
    expect(parseEventBatch({ v: 1, host: 'h', epoch: 3, events: [good] })).toEqual({
      v: 1,
      host: 'h',
      epoch: 3,
      events: [good],
    });
  });

  it('keeps the replay flag of a dead-letter replay', () => {
    expect(parseEventBatch({ v: 1, host: 'h', epoch: 0, replay: true, events: [good] }).replay).toBe(true);
    expect('replay' in parseEventBatch({ v: 1, host: 'h', epoch: 0, replay: false, events: [good] })).toBe(false);
  });

  const rows: [string, unknown, RegExp][] = [
    ['an array body', [], /JSON object/],
    ['a replay flag that is not a boolean', { v: 1, host: 'h', epoch: 0, replay: 'yes', events: [] }, /"replay"/],
    ['another version', { v: 2, host: 'h', epoch: 0, events: [] }, /unsupported version 2/],
    ['no host', { v: 1, epoch: 0, events: [] }, /"host"/],
    ['a negative epoch', { v: 1, host: 'h', epoch: -1, events: [] }, /"epoch"/],
    ['events not an array', { v: 1, host: 'h', epoch: 0, events: {} }, /"events"/],
    [
      'an unknown platform',
      { v: 1, host: 'h', epoch: 0, events: [{ ...good, platform: 'slack' }] },
      /events\[0\]\.platform/,
    ],
    ['a fractional seq', { v: 1, host: 'h', epoch: 0, events: [{ ...good, seq: 1.5 }] }, /events\[0\]\.seq/],
    // Issue 11, hole 7: bounds.
    ['a negative seq', { v: 1, host: 'h', epoch: 0, events: [{ ...good, seq: -1 }] }, /events\[0\]\.seq/],
    ['a seq past 2^53', { v: 1, host: 'h', epoch: 0, events: [{ ...good, seq: 2 ** 60 }] }, /events\[0\]\.seq/],
    ['an epoch past 2^53', { v: 1, host: 'h', epoch: 2 ** 60, events: [] }, /"epoch"/],
    [
      '1001 events in one batch',
      { v: 1, host: 'h', epoch: 0, events: Array.from({ length: 1001 }, () => good) },
      /1001 events in one batch, at most 1000/,
    ],
    [
      'missing data',
      {
        v: 1,
        host: 'h',
        epoch: 0,
        events: [good, { ...good, data: undefined }].map((e, i) =>
          i === 1 ? (({ data: _d, ...rest }) => rest)(e) : e,
        ),
      },
      /events\[1\]\.data/,
    ],
  ];
  for (const [what, input, expected] of rows) {
    it(`names the field for ${what}`, () => {
      expect(reason(input)).toMatch(expected);
    });
  }

  it('builds stable event ids', () => {
    expect(eventId('discord', 3, 'abc', 42)).toBe('discord:3:abc:42');
  });
});
