// How each kind of event is known to the delivery ledger.
import type { EventEnvelope } from '../../protocol/index.ts';
import type { LedgerItem } from '../coordinator/ledger.ts';
import { PLATFORM_ID_TYPES } from '../../coordination/reshard.ts';

/** A gateway event: its shard (fenced by its lease epoch), its session and seq (ranges per session); a
 *  platform id (QQ `qq:{id}`) has no position.
 *  Events whose `data.id` names them also carry `discord:{type}:{id}`, which the ledger uses only while a
 *  reshard runs two generations (coordination/reshard.ts). */
export function gatewayItem(e: EventEnvelope): LedgerItem {
  const item: LedgerItem =
    e.id.startsWith(`${e.platform}:${e.shard}:`) && e.session !== ''
      ? { id: e.id, stream: { shard: e.shard, session: e.session, seq: e.seq }, shard: e.shard }
      : { id: e.id, stream: null, shard: e.shard };
  const platformId = (e.data as { id?: unknown } | null)?.id;
  if (e.platform === 'discord' && PLATFORM_ID_TYPES.has(e.type) && typeof platformId === 'string')
    item.platformKey = `discord:${e.type}:${platformId}`;
  return item;
}

/** A webhook event (Discord interaction, QQ callback): its platform id, kept for an hour. */
export function webhookItem(id: string): LedgerItem {
  return { id, stream: null };
}
