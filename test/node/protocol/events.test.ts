import { describe, expect, it } from 'vitest';
import { EdgeshardError, epochOf, ERROR_CODES, eventId, parseEventBatch } from '../../../protocol/index.ts';

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
const onShard = (shard: number, seq = 1) => ({ ...good, id: `discord:${shard}:s:${seq}`, shard, seq });

/** A version 2 batch of `events`, shard 0 at epoch 0 unless `epochs` says otherwise. */
const v2 = (events: unknown[], more: Record<string, unknown> = {}) => ({
  v: 2,
  host: 'h',
  epochs: { 0: 0 },
  events,
  ...more,
});

function refusal(input: unknown): { code: string; message: string } | 'accepted' {
  try {
    parseEventBatch(input);
    return 'accepted';
  } catch (err) {
    expect(err).toBeInstanceOf(EdgeshardError);
    return { code: (err as EdgeshardError).code, message: (err as EdgeshardError).message };
  }
}

describe('parseEventBatch', () => {
  it('accepts a well-formed batch', () => {
    expect(parseEventBatch(v2([good], { epochs: { 0: 3 } }))).toEqual({
      v: 2,
      host: 'h',
      epochs: { 0: 3 },
      events: [good],
    });
  });

  it('accepts several shards in one batch, each with its own epoch', () => {
    const batch = parseEventBatch(v2([onShard(0), onShard(7), onShard(0, 2)], { epochs: { 0: 3, 7: 1, 9: 4 } }));
    expect(batch.events.map((e) => e.id)).toEqual(['discord:0:s:1', 'discord:7:s:1', 'discord:0:s:2']);
    expect([epochOf(batch, 0), epochOf(batch, 7)]).toEqual([3, 1]);
    expect(batch.epochs).toEqual({ 0: 3, 7: 1, 9: 4 }); // a shard without events this time is harmless
  });

  it('keeps the replay flag of a dead-letter replay', () => {
    expect(parseEventBatch(v2([good], { replay: true })).replay).toBe(true);
    expect('replay' in parseEventBatch(v2([good], { replay: false }))).toBe(false);
  });

  const malformed: [string, unknown, RegExp][] = [
    ['an array body', [], /JSON object/],
    ['a version that is a string', v2([good], { v: '2' }), /"v" must be the batch version \(2\)/],
    ['no version', v2([good], { v: undefined }), /"v" must be the batch version \(2\)/],
    ['a replay flag that is not a boolean', v2([], { replay: 'yes' }), /"replay"/],
    ['no host', v2([], { host: undefined }), /"host"/],
    ['no epochs', v2([], { epochs: undefined }), /^malformed event batch: "epochs" must be an object/],
    ['epochs an array', v2([], { epochs: [0] }), /^malformed event batch: "epochs" must be an object/],
    ['epochs a number', v2([], { epochs: 0 }), /^malformed event batch: "epochs" must be an object/],
    ['an epochs key that is not a shard number', v2([], { epochs: { x: 0 } }), /"epochs" key "x" must be a shard/],
    ['a negative epochs key', v2([], { epochs: { '-1': 0 } }), /"epochs" key "-1" must be a shard number/],
    ['an epochs key with a leading zero', v2([], { epochs: { '01': 0 } }), /"epochs" key "01" must be a shard/],
    ['an epochs key past 2^53', v2([], { epochs: { [String(2 ** 60)]: 0 } }), /"epochs" key "\d+" must be a shard/],
    ['a negative epoch', v2([good], { epochs: { 0: -1 } }), /"epochs"\["0"\] must be a non-negative integer/],
    ['a fractional epoch', v2([good], { epochs: { 0: 1.5 } }), /"epochs"\["0"\] must be a non-negative integer/],
    ['an epoch past 2^53', v2([good], { epochs: { 0: 2 ** 60 } }), /"epochs"\["0"\] must be a non-negative integer/],
    ['an epoch that is a string', v2([good], { epochs: { 0: '1' } }), /"epochs"\["0"\] must be a non-negative/],
    [
      "an event's shard missing from epochs",
      v2([good, onShard(3)], { epochs: { 0: 1 } }),
      /^malformed event batch: events\[1\]\.shard 3 has no entry in "epochs"$/,
    ],
    ['events not an array', v2({} as unknown[]), /"events"/],
    ['an unknown platform', v2([{ ...good, platform: 'slack' }]), /events\[0\]\.platform/],
    ['a fractional seq', v2([{ ...good, seq: 1.5 }]), /events\[0\]\.seq/],
    // Issue 11, hole 7: bounds.
    ['a negative seq', v2([{ ...good, seq: -1 }]), /events\[0\]\.seq/],
    ['a seq past 2^53', v2([{ ...good, seq: 2 ** 60 }]), /events\[0\]\.seq/],
    ['a negative shard', v2([{ ...good, shard: -1 }]), /events\[0\]\.shard must be a non-negative integer/],
    [
      '1001 events in one batch',
      v2(Array.from({ length: 1001 }, () => good)),
      /1001 events in one batch, at most 1000/,
    ],
    [
      'missing data',
      v2([good, { ...good, data: undefined }].map((e, i) => (i === 1 ? (({ data: _d, ...rest }) => rest)(e) : e))),
      /events\[1\]\.data/,
    ],
  ];
  for (const [what, input, expected] of malformed) {
    it(`refuses ${what} as malformed, naming the field`, () => {
      const r = refusal(input);
      expect(r).toEqual({ code: ERROR_CODES.MALFORMED_BATCH, message: expect.stringMatching(expected) });
    });
  }

  // Another version is refused with batch_version (503 at the Worker: the host keeps its events), naming the fix.
  const versions: [string, unknown, RegExp][] = [
    [
      'a version 1 batch (an older shard host): upgrade the host',
      { v: 1, host: 'h', epoch: 0, events: [good] },
      /^event batch version 1, this Worker speaks version 2: the shard host is older than the Worker; upgrade it \(git pull, restart shard-host\): it keeps its events spooled until then$/,
    ],
    [
      'a version 3 batch (an older Worker): deploy the Worker',
      v2([good], { v: 3 }),
      /^event batch version 3, this Worker speaks version 2: the Worker is older than the shard host; deploy it \(wrangler deploy\)/,
    ],
  ];
  for (const [what, input, expected] of versions) {
    it(`refuses ${what}, with batch_version`, () => {
      expect(refusal(input)).toEqual({ code: ERROR_CODES.BATCH_VERSION, message: expect.stringMatching(expected) });
    });
  }

  it('builds stable event ids', () => {
    expect(eventId('discord', 3, 'abc', 42)).toBe('discord:3:abc:42');
  });
});
