// How each kind of event is known to the delivery ledger.
import type { EventEnvelope } from '../../protocol/index.ts';
import type { LedgerItem } from '../coordinator/ledger.ts';

/** A gateway event: its session and seq (ranges per session); a platform id (QQ `qq:{id}`) has no position. */
export function gatewayItem(e: EventEnvelope): LedgerItem {
  return e.id.startsWith(`${e.platform}:${e.shard}:`) && e.session !== ''
    ? { id: e.id, stream: { shard: e.shard, session: e.session, seq: e.seq } }
    : { id: e.id, stream: null };
}

/** A webhook event (Discord interaction, QQ callback): its platform id, kept for an hour. */
export function webhookItem(id: string): LedgerItem {
  return { id, stream: null };
}
