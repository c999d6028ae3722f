// The coordinator's answer to "may these events run?", shard by shard: a request (event batch version 2)
// carries several shards' events, each shard with the sending host's lease epoch for it. A shard whose epoch
// is older than its current one is fenced: its events are not admitted and the host drops them (the shard
// moved, and its new owner's resume makes the platform replay them there); the other shards' events go on
// to the delivery ledger (what already ran is `done`). A shard the bot does not run is answered as such, so
// the caller dead-letters its events without refusing the other shards'.
//
// Resharding (coordination/reshard.ts) adds one rule, by the generation each shard's (shard, epoch) names
// (a packed batch may mix generations):
// - the new generation before the switch: acknowledged as `done` and settled, handlers not run (the old
//   generation is authoritative and delivers the same events);
// - from the reshard's start to the end of the switch window: events with a platform id
//   (`discord:MESSAGE_CREATE:{id}`) are also claimed and settled by that id, so the copy the other
//   generation delivers runs nothing; the old generation inside the window runs as the current one, after it
//   is fenced as stale.
import { EdgeshardError, ERROR_CODES, type ShardEpochs } from '../../protocol/index.ts';
import type { Admission, DeliveryLedger, LedgerItem } from './ledger.ts';
import type { Generation, LeaseTable } from '../../coordination/table.ts';

export interface AdmitRequest {
  /** The sending host and its lease epoch per shard, for gateway batches; null for webhooks and operator
   *  replays of dead letters (not fenced). */
  fence: { host: string; epochs: ShardEpochs } | null;
  items: LedgerItem[];
}

/** A shard whose epoch in the request is older than its current one: `ids` were not admitted. */
export interface FencedShard {
  shard: number;
  current: number;
  ids: string[];
}

/** A shard past the bot's shard count: `ids` were not admitted (the caller dead-letters them). */
export interface UnknownShard {
  shard: number;
  shardCount: number | null;
  ids: string[];
}

/** Every item lands in exactly one list: run, done, busy, or one shard's fenced / unknown ids. */
export interface AdmitVerdict extends Admission {
  fenced: FencedShard[];
  unknown: UnknownShard[];
}

/** The shard an item is fenced by: a gateway event's (webhook events have none). */
function shardOf(item: LedgerItem): number | null {
  return item.shard ?? item.stream?.shard ?? null;
}

export function admitBatch(
  table: LeaseTable,
  ledger: DeliveryLedger,
  request: AdmitRequest,
  now: number,
): AdmitVerdict {
  const count = table.state.globals.shardCount;
  const generations = new Map<number, Generation>();
  const generationOf = (shard: number): Generation => {
    let generation = generations.get(shard);
    if (generation !== undefined) return generation;
    if (request.fence) {
      const epoch = request.fence.epochs[String(shard)];
      // parseEventBatch guarantees it; an absent epoch must never pass as the current one.
      if (epoch === undefined)
        throw new EdgeshardError(
          ERROR_CODES.MALFORMED_BATCH,
          `malformed event batch: shard ${shard} has no entry in "epochs"`,
        );
      generation = table.generationOf(shard, epoch);
    } else generation = count === null || shard < count ? 'current' : 'unknown';
    generations.set(shard, generation);
    return generation;
  };

  const admit: LedgerItem[] = [];
  const next: LedgerItem[] = [];
  const fenced = new Map<number, FencedShard>();
  const unknown = new Map<number, UnknownShard>();
  for (const item of request.items) {
    const shard = shardOf(item);
    const generation = shard === null ? 'current' : generationOf(shard);
    if (shard === null || generation === 'current' || generation === 'retired') admit.push(item);
    else if (generation === 'next') next.push(item);
    else if (generation === 'stale')
      group(fenced, shard, () => ({ shard, current: table.epochOf(shard), ids: [] })).push(item.id);
    else group(unknown, shard, () => ({ shard, shardCount: count, ids: [] })).push(item.id);
  }

  const kind = table.state.reshard.kind;
  const admission = ledger.admit(admit, now, kind === 'identifying' || kind === 'switching');
  if (next.length > 0) {
    // Recorded by stream only: the platform key stays free for the old generation's copy, which runs.
    const items = next.map((i) => ({ id: i.id, stream: i.stream }));
    ledger.settle(items, [], now);
    admission.done.push(...items.map((i) => i.id));
  }
  return { ...admission, fenced: [...fenced.values()], unknown: [...unknown.values()] };
}

/** The ids of `shard`'s entry in `groups`, made on first use. */
function group<G extends { ids: string[] }>(groups: Map<number, G>, shard: number, make: () => G): string[] {
  let entry = groups.get(shard);
  if (!entry) groups.set(shard, (entry = make()));
  return entry.ids;
}
