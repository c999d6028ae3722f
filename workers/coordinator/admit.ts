// The coordinator's answer to "may these events run?": the lease fence first (a batch from an epoch older
// than the shard's current one is refused whole: the shard moved, and its new owner's resume makes the
// platform replay these events there), then the delivery ledger (what already ran is `done`).
//
// Resharding (coordination/reshard.ts) adds one rule, by the generation the batch's (shard, epoch) names:
// - the new generation before the switch: acknowledged as `done` and settled, handlers not run (the old
//   generation is authoritative and delivers the same events);
// - from the reshard's start to the end of the switch window: events with a platform id
//   (`discord:MESSAGE_CREATE:{id}`) are also claimed and settled by that id, so the copy the other
//   generation delivers runs nothing; the old generation inside the window runs as the current one, after it
//   is refused as stale.
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
  let nextGeneration = false;
  for (const shard of shards) {
    const generation = request.fence
      ? table.generationOf(shard, request.fence.epoch)
      : count === null || shard < count
        ? 'current'
        : 'unknown';
    if (generation === 'unknown')
      throw new EdgeshardError(
        ERROR_CODES.MALFORMED_BATCH,
        `malformed event batch: shard ${shard} does not exist (the bot runs ${count} shards)`,
      );
    if (generation === 'stale') return { kind: 'stale', shard, current: table.epochOf(shard) };
    if (generation === 'next') nextGeneration = true;
  }
  if (nextGeneration) {
    // Recorded by stream only: the platform key stays free for the old generation's copy, which runs.
    const items = request.items.map((i) => ({ id: i.id, stream: i.stream }));
    ledger.settle(items, [], now);
    return { kind: 'admitted', run: [], done: items.map((i) => i.id), busy: [] };
  }
  const kind = table.state.reshard.kind;
  return { kind: 'admitted', ...ledger.admit(request.items, now, kind === 'identifying' || kind === 'switching') };
}
