// Builds a request body (protocol/events.ts, version 2) from spooled entries without re-serialising the
// events: each entry's JSON is spliced in as stored.
import { PROTOCOL_VERSION } from '../../protocol/index.ts';
import type { SpoolEntry } from '../spool/types.ts';

/** `parts`: each shard's lease epoch and its entries, in the order they go into the body. */
export function batchBody(
  host: string,
  parts: readonly { shard: number; epoch: number; entries: readonly SpoolEntry[] }[],
  replay = false,
): string {
  const epochs = parts.map((p) => `"${p.shard}":${p.epoch}`).join(',');
  const events = parts.map((p) => p.entries.map((e) => e.json).join(',')).join(',');
  const flag = replay ? ',"replay":true' : '';
  return `{"v":${PROTOCOL_VERSION},"host":${JSON.stringify(host)},"epochs":{${epochs}}${flag},"events":[${events}]}`;
}
