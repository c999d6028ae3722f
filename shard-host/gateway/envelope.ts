// A dispatch becomes the event envelope the Worker receives, and the JSON text the spool stores and the
// forwarder sends as-is. The JSON is built around the `d` text exactly as the gateway sent it (raw-data.ts),
// so the hot path parses each payload once and serialises only the envelope's few small fields; when the
// raw text is missing or the scanner is in doubt, it is JSON.stringify of the envelope, as before.
// Both forms carry the same fields in the same order; `data` is the parsed `d` either way.
import { eventId, type EventEnvelope, type Platform } from '../../protocol/index.ts';
import type { DispatchRecord } from './options.ts';
import { rawData } from './raw-data.ts';

export interface SpoolableEvent {
  event: EventEnvelope;
  /** A JSON text of `event` (the spool's pre-serialised form). */
  json: string;
}

/** A QQ dispatch is known by QQ's own event id, so the same event by websocket and by webhook is one event. */
function idOf(record: DispatchRecord, platform: Platform): string {
  return record.eventId !== undefined
    ? `${platform}:${record.eventId}`
    : eventId(platform, record.shard, record.session, record.seq);
}

export function toEnvelope(record: DispatchRecord): EventEnvelope {
  const platform = record.platform ?? 'discord';
  return {
    id: idOf(record, platform),
    platform,
    shard: record.shard,
    session: record.session,
    seq: record.seq,
    type: record.type,
    data: record.data,
    receivedAt: record.receivedAt,
  };
}

/**
 * The envelope and its JSON, with `d` spliced from the payload text when that is safe. Then the envelope's
 * `data` is parsed again from that text on first read (dead letters, a restart's recovery do read it): the
 * spool holds events until the Worker acknowledges them, and a parsed object tree kept that long survives
 * young-generation GCs and gets promoted, where one string does not cost tracing (bench/RESULTS.md).
 * The text already passed JSON.parse once (shard.ts), so the second parse gives an equal value.
 */
export function spoolableEvent(record: DispatchRecord): SpoolableEvent {
  const d = record.payload === undefined || record.data === undefined ? null : rawData(record.payload);
  // A clock that is not a finite number would print as NaN: let JSON.stringify decide (it writes null).
  if (d === null || !Number.isFinite(record.receivedAt)) {
    const event = toEnvelope(record);
    return { event, json: JSON.stringify(event) };
  }
  const id = idOf(record, record.platform ?? 'discord');
  // Same key order as JSON.stringify(event). Numbers need no escaping; the strings may hold anything.
  const json =
    `{"id":${JSON.stringify(id)},"platform":${JSON.stringify(record.platform ?? 'discord')},"shard":${record.shard},"session":${JSON.stringify(record.session)},` +
    `"seq":${record.seq},"type":${JSON.stringify(record.type)},"data":${d},"receivedAt":${record.receivedAt}}`;
  const event = lazyEnvelope(record, id, json);
  return { event, json };
}

/**
 * An envelope whose `data` is an own, enumerable accessor: JSON.stringify, spreads and equality see a value.
 * `data` is parsed from the envelope's own JSON on first read, so a spooled event holds that one string and
 * not also the payload text `d` was cut from (a slice keeps its whole parent alive: about 1 KB more per
 * spooled event, bench/RESULTS.md). Written as one object literal (keys in toEnvelope's order): no copy of
 * the record, no defineProperty, so every envelope shares one hidden class.
 */
function lazyEnvelope(record: DispatchRecord, id: string, json: string): EventEnvelope {
  let text: string | null = json;
  let value: unknown;
  return {
    id,
    platform: record.platform ?? 'discord',
    shard: record.shard,
    session: record.session,
    seq: record.seq,
    type: record.type,
    get data(): unknown {
      if (text !== null) {
        value = (JSON.parse(text) as { data: unknown }).data;
        text = null;
      }
      return value;
    },
    set data(v: unknown) {
      value = v;
      text = null;
    },
    receivedAt: record.receivedAt,
  };
}
