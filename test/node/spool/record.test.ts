import { describe, expect, it } from 'vitest';
import { ackRecord, eventRecord, frame, parseLog } from '../../../shard-host/spool/record.ts';

describe('spool records', () => {
  it('round-trips events and acks, with non-ASCII text', () => {
    const log = Buffer.concat([eventRecord(0, '{"a":"héllo 你好"}'), ackRecord([0, 3]), eventRecord(12, '{}')]);
    expect(parseLog(log)).toEqual({
      records: [
        { kind: 'event', pos: 0, json: '{"a":"héllo 你好"}' },
        { kind: 'ack', positions: [0, 3] },
        { kind: 'event', pos: 12, json: '{}' },
      ],
      validBytes: log.length,
      bad: null,
    });
  });

  const good = eventRecord(1, '{"x":1}');
  const rows: [string, Buffer, RegExp][] = [
    ['a header cut short', Buffer.concat([good, good.subarray(0, 5)]), /torn record: 5 bytes/],
    ['a payload cut short', Buffer.concat([good, good.subarray(0, good.length - 1)]), /torn record: header says/],
    ['a checksum that does not match', Buffer.concat([good, Buffer.from(good).fill(0x41, 8)]), /checksum mismatch/],
    ['an unknown record kind', Buffer.concat([good, frame('Z1')]), /unknown record kind/],
    ['an event without a position', Buffer.concat([good, frame('Ex {}')]), /without a position/],
    ['an ack with a bad position', Buffer.concat([good, frame('A1,x')]), /bad position/],
  ];
  for (const [what, buf, reason] of rows) {
    it(`stops at ${what}, keeping the record before it`, () => {
      const parsed = parseLog(buf);
      expect(parsed.records).toHaveLength(1);
      expect(parsed.validBytes).toBe(good.length);
      expect(parsed.bad).toEqual({ offset: good.length, reason: expect.stringMatching(reason) });
    });
  }
});
