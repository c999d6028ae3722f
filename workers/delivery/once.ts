// Each event's handlers run once. Every entry point hands its events here: the platform's coordinator's ledger
// admits them in one call (per shard: fencing a shard whose lease epoch is stale, answering `done` for events
// whose handlers already completed, `busy` for events another request is running), the caller's `run` handles
// what was admitted, and one more call settles the outcome. One admit and at most one settle per request,
// however many shards it carries. Duplicate ids within one request run once and share one result.
import { EdgeshardError, ERROR_CODES, type EventResult, type Platform } from '../../protocol/index.ts';
import type { AdmitRequest } from '../coordinator/admit.ts';
import type { LedgerItem } from '../coordinator/ledger.ts';
import { coordinatorStub } from '../coordinator/stub.ts';
import type { Env } from '../env.ts';
import { unwrap } from '../rpc.ts';
import { staleEpoch, unknownShard } from './refusals.ts';

export interface OnceOptions<E> {
  /** Whose coordinator admits the events (each platform has its own ledger and lease epochs). */
  platform: Platform;
  fence: AdmitRequest['fence'];
  events: readonly E[];
  item(event: E): LedgerItem;
  run(events: E[]): Promise<EventResult[]>;
  /** false: `run` only hands the events on (queue mode): their claims are released for the consumer, which
   *  runs them through runOnce itself. Default true. */
  record?: boolean;
}

/** Results by event id, in no particular order; the caller maps them back onto its events. */
export async function runOnce<E>(env: Env, o: OnceOptions<E>): Promise<Map<string, EventResult>> {
  const unique = new Map<string, E>();
  for (const e of o.events) {
    const id = o.item(e).id;
    if (!unique.has(id)) unique.set(id, e);
  }
  const items = [...unique.values()].map((e) => o.item(e));
  const coordinator = coordinatorStub(env, o.platform);
  const verdict = unwrap(await coordinator.admit({ fence: o.fence, items }));

  const results = new Map<string, EventResult>();
  for (const { shard, current, ids } of verdict.fenced) {
    const error = staleEpoch(o.fence?.host ?? '?', o.fence?.epochs[String(shard)] ?? 0, shard, current);
    for (const id of ids) results.set(id, { id, outcome: 'fenced', error });
  }
  for (const { shard, shardCount, ids } of verdict.unknown) {
    const error = unknownShard(shard, shardCount);
    for (const id of ids) results.set(id, { id, outcome: 'dead-letter', error });
  }
  for (const id of verdict.done) results.set(id, { id, outcome: 'ack' });
  for (const id of verdict.busy) {
    results.set(id, { id, outcome: 'retry', error: 'another request is running this event right now' });
  }
  const ran = verdict.run.length === 0 ? [] : await o.run(verdict.run.map((id) => unique.get(id)!));
  const record = o.record ?? true;
  const byId = new Map(items.map((i) => [i.id, i]));
  const done: LedgerItem[] = [];
  const released: string[] = [];
  for (const r of ran) {
    results.set(r.id, r);
    if (r.outcome === 'ack' && record) done.push(byId.get(r.id)!);
    else released.push(r.id);
  }
  if (done.length > 0 || released.length > 0) {
    try {
      await coordinator.settle(done, released);
    } catch (err) {
      // The handlers ran and we say so: a retry would run them again. What is left is the documented
      // residue: a later replay of these events (failover) can run them once more.
      console.error(
        JSON.stringify({
          level: 'error',
          msg: 'could not record completed events in the delivery ledger',
          events: done.length,
          error: err instanceof Error ? err.message : String(err),
        }),
      );
    }
  }
  return results;
}

/** The one platform of a batch's events: a batch is admitted by one coordinator, so it may not mix them. */
export function batchPlatform(events: readonly { platform: Platform }[]): Platform {
  const platforms = new Set(events.map((e) => e.platform));
  if (platforms.size > 1)
    throw new EdgeshardError(
      ERROR_CODES.MALFORMED_BATCH,
      `malformed event batch: events of ${[...platforms].join(' and ')} in one batch; a batch carries one platform's events (each platform's shards have their own forwarder): run the same edgeshard version on hosts and Worker`,
    );
  return events[0]?.platform ?? 'discord';
}
