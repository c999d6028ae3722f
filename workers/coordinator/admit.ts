// The coordinator's answer to "may these events run?": the lease fence first (a batch from an epoch older
// than the shard's current one is refused whole: the shard moved, and its new owner's resume makes the
// platform replay these events there), then the delivery ledger (what already ran is `done`).
import { EdgeshardError, ERROR_CODES } from '../../protocol/index.ts';
import type { Admission, DeliveryLedger, LedgerItem } from './ledger.ts';
import type { LeaseTable } from '../../coordination/table.ts';

export interface AdmitRequest {
  /** The sending host's lease, for gateway batches; null for webhooks and operator replays of dead letters. */
  fence: { host: string; epoch: number } | null;
  items: LedgerItem[];
}

export type AdmitVerdict = { kind: 'stale'; shard: number; current: number } | ({ kind: 'admitted' } & Admission);

export function admitBatch(
  table: LeaseTable,
  ledger: DeliveryLedger,
  request: AdmitRequest,
  now: number,
): AdmitVerdict {
  const count = table.state.globals.shardCount;
  const shards = new Set<number>();
  for (const item of request.items) if (item.stream) shards.add(item.stream.shard);
  for (const shard of shards) {
    if (count !== null && shard >= count) {
      throw new EdgeshardError(
        ERROR_CODES.MALFORMED_BATCH,
        `malformed event batch: shard ${shard} does not exist (the bot runs ${count} shards)`,
      );
    }
    const current = table.epochOf(shard);
    if (request.fence && request.fence.epoch < current) return { kind: 'stale', shard, current };
  }
  return { kind: 'admitted', ...ledger.admit(request.items, now) };
}
