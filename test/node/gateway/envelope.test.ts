// The spooled form of a dispatch: the envelope plus a JSON text built around the payload's raw `d`.
// Whatever path is taken, the JSON must parse to exactly the envelope JSON.stringify would give.
import { describe, expect, it } from 'vitest';
import { spoolableEvent, toEnvelope } from '../../../shard-host/gateway/envelope.ts';
import type { DispatchRecord } from '../../../shard-host/gateway/options.ts';

function record(payload: string | undefined, extra: Partial<DispatchRecord> = {}): DispatchRecord {
  const parsed = payload === undefined ? { d: { id: '1' } } : (JSON.parse(payload) as { d?: unknown });
  const r: DispatchRecord = {
    shard: 3,
    session: 'sess "quoted" ✓',
    seq: 42,
    type: 'MESSAGE_CREATE',
    data: parsed.d,
    receivedAt: 1_735_689_600_123,
    ...extra,
  };
  if (payload !== undefined) r.payload = payload;
  return r;
}

describe('spoolableEvent', () => {
  it('splices a compact d: byte-for-byte what JSON.stringify of the envelope gives', () => {
    const r = record(
      '{"op":0,"s":42,"t":"MESSAGE_CREATE","d":{"id":"1","content":"a \\"}{\\" b 👋","n":[1,{"x":null}]}}',
    );
    const { event, json } = spoolableEvent(r);
    expect(event).toEqual(toEnvelope(r));
    expect(json).toBe(JSON.stringify(event));
  });

  it('keeps the gateway text of d as sent (spacing, escapes, big integers) and still parses to the envelope', () => {
    const r = record(
      '{"t":"MESSAGE_CREATE", "d" : { "content" : "\\u00e9" , "big" : 12345678901234567890 }, "s":42,"op":0}',
    );
    const { event, json } = spoolableEvent(r);
    expect(json).toContain('"data":{ "content" : "\\u00e9" , "big" : 12345678901234567890 }');
    expect(JSON.parse(json)).toEqual(JSON.parse(JSON.stringify(event)));
  });

  it("the spooled envelope's data is parsed from the spliced text on first read, then stays the same value", () => {
    const r = record('{"op":0,"s":42,"t":"MESSAGE_CREATE","d":{"id":"1","nested":{"a":[1,2]}}}');
    const { event } = spoolableEvent(r);
    const data = event.data;
    expect(data).toEqual(r.data);
    expect(event.data).toBe(data);
    expect(Object.keys(event)).toEqual(Object.keys(toEnvelope(r)));
    expect({ ...event }).toEqual(toEnvelope(r));
    expect(JSON.stringify(event)).toBe(JSON.stringify(toEnvelope(r)));
    event.data = { replaced: true };
    expect(event.data).toEqual({ replaced: true });
  });

  it('d null is spliced as null', () => {
    const { json } = spoolableEvent(record('{"op":0,"s":42,"t":"X","d":null}', { type: 'X' }));
    expect(JSON.parse(json)).toMatchObject({ type: 'X', data: null });
  });

  const fallbacks: Array<[why: string, r: DispatchRecord]> = [
    ['no payload text (a record built elsewhere)', record(undefined)],
    ['the scanner is in doubt (d twice)', record('{"op":0,"d":{"id":"0"},"s":42,"t":"X","d":{"id":"1"}}')],
    ['no d in the payload (data undefined)', record('{"op":0,"s":42,"t":"X"}')],
    [
      'a clock that is not a finite number',
      record('{"op":0,"s":42,"t":"X","d":{"id":"1"}}', { receivedAt: Number.NaN }),
    ],
  ];
  for (const [why, r] of fallbacks) {
    it(`falls back to JSON.stringify when ${why}`, () => {
      const { event, json } = spoolableEvent(r);
      expect(json).toBe(JSON.stringify(event));
    });
  }
});
