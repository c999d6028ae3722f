// The delivery ledger: which events' handlers have completed, so they never run again. Every entry point
// asks it before running handlers (admit: one call per request, never per event) and tells it after
// (settle). Gateway events are kept per session as ranges of settled seqs (ranges.ts): a resumed session
// replays events whose handlers already ran, a failover replays more, a signed batch can be sent again,
// and all of those are answered `done` without running anything. Webhook events (interaction ids, QQ event
// ids) have no sequence: their ids are kept for KEY_TTL_MS.
//
// Admitted events are claimed until settled (or CLAIM_MS passes), so two requests carrying the same event
// at once run it once: the second hears `busy` and its host retries later. Claims live in memory; the
// residue is documented in docs/operations.md ("Failure modes").
import { add, contains, settledThrough, type Range } from './ranges.ts';

export interface Stream {
  shard: number;
  session: string;
  seq: number;
}

/** One event as the ledger sees it: gateway events carry their stream position, webhook events only an id. */
export interface LedgerItem {
  id: string;
  stream: Stream | null;
  /** The gateway shard the event came from, fenced by the request's lease epoch for it (admit.ts), also for
   *  an event without a stream position; absent for webhook events. */
  shard?: number;
  /** The platform's own id of the event (`discord:MESSAGE_CREATE:{id}`), checked only while a reshard runs two
   *  generations that each receive the same event (admit.ts). */
  platformKey?: string;
}

export interface Admission {
  /** Claimed for the caller: run the handlers, then settle. */
  run: string[];
  /** Handlers completed earlier: acknowledge without running them. */
  done: string[];
  /** Another request is running them right now: answer retry. */
  busy: string[];
}

/** Longer than the handler budget of /events (10 s) plus the queue consumer's; a claim outliving its
 *  request (the Worker was killed mid-handler) frees the event for a retry after this. */
export const CLAIM_MS = 60_000;
/** Platforms redeliver webhooks within minutes; an hour covers every retry schedule we know of. */
export const KEY_TTL_MS = 60 * 60 * 1000;
/** Sessions remembered per shard: the live one and a few before it, whose events may still be in spools. */
export const SESSIONS_PER_SHARD = 4;

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS ledger_streams (shard INTEGER NOT NULL, session TEXT NOT NULL, ranges TEXT NOT NULL,
     updated_at INTEGER NOT NULL, PRIMARY KEY (shard, session))`,
  `CREATE TABLE IF NOT EXISTS ledger_keys (key TEXT PRIMARY KEY, expires_at INTEGER NOT NULL)`,
];

interface StreamRow {
  shard: number;
  session: string;
  ranges: Range[];
  updatedAt: number;
}

const streamKey = (shard: number, session: string) => `${shard}\u0000${session}`;

export class DeliveryLedger {
  readonly #sql: SqlStorage;
  readonly #streams = new Map<string, StreamRow>();
  readonly #claims = new Map<string, number>();
  /** Platform keys claimed with an event id (reshard window): written as settled with it. */
  readonly #claimKeys = new Map<string, string>();
  #sweptAt = 0;
  readonly stats = { admitted: 0, skipped: 0, busy: 0 };

  constructor(sql: SqlStorage) {
    this.#sql = sql;
    for (const statement of SCHEMA) sql.exec(statement);
    for (const r of sql.exec<{ shard: number; session: string; ranges: string; updated_at: number }>(
      'SELECT shard, session, ranges, updated_at FROM ledger_streams',
    )) {
      const row = {
        shard: r.shard,
        session: r.session,
        ranges: JSON.parse(r.ranges) as Range[],
        updatedAt: r.updated_at,
      };
      this.#streams.set(streamKey(row.shard, row.session), row);
    }
  }

  /** `byPlatformKey`: also settle and claim by each item's platform key (a reshard's two generations). */
  admit(items: readonly LedgerItem[], now: number, byPlatformKey = false): Admission {
    const out: Admission = { run: [], done: [], busy: [] };
    for (const item of items) {
      const key = byPlatformKey ? item.platformKey : undefined;
      if (this.#settled(item, now) || (key !== undefined && this.#keySettled(key, now))) out.done.push(item.id);
      else if ((this.#claims.get(item.id) ?? 0) > now || (key !== undefined && (this.#claims.get(key) ?? 0) > now))
        out.busy.push(item.id);
      else {
        this.#claims.set(item.id, now + CLAIM_MS);
        if (key !== undefined) {
          this.#claims.set(key, now + CLAIM_MS);
          this.#claimKeys.set(item.id, key);
        }
        out.run.push(item.id);
      }
    }
    this.stats.admitted += out.run.length;
    this.stats.skipped += out.done.length;
    this.stats.busy += out.busy.length;
    return out;
  }

  /** `done`: handlers completed (or were given up on with the event acknowledged); `released`: failed, retry later. */
  settle(done: readonly LedgerItem[], released: readonly string[], now: number): void {
    for (const id of released) {
      this.#claims.delete(id);
      const key = this.#claimKeys.get(id);
      if (key !== undefined) this.#claims.delete(key);
      this.#claimKeys.delete(id);
    }
    const bySession = new Map<string, { shard: number; session: string; seqs: number[] }>();
    for (const item of done) {
      this.#claims.delete(item.id);
      const platformKey = this.#claimKeys.get(item.id);
      if (platformKey !== undefined) {
        this.#claims.delete(platformKey);
        this.#claimKeys.delete(item.id);
        this.#sql.exec(
          'INSERT OR REPLACE INTO ledger_keys (key, expires_at) VALUES (?, ?)',
          platformKey,
          now + KEY_TTL_MS,
        );
      }
      if (item.stream === null) {
        this.#sql.exec('INSERT OR REPLACE INTO ledger_keys (key, expires_at) VALUES (?, ?)', item.id, now + KEY_TTL_MS);
        continue;
      }
      const { shard, session, seq } = item.stream;
      const key = streamKey(shard, session);
      const group = bySession.get(key) ?? { shard, session, seqs: [] };
      group.seqs.push(seq);
      bySession.set(key, group);
    }
    for (const [key, { shard, session, seqs }] of bySession) {
      const row = this.#streams.get(key) ?? { shard, session, ranges: [], updatedAt: now };
      row.ranges = add(row.ranges, seqs);
      row.updatedAt = now;
      this.#streams.set(key, row);
      this.#sql.exec(
        'INSERT OR REPLACE INTO ledger_streams (shard, session, ranges, updated_at) VALUES (?, ?, ?, ?)',
        shard,
        session,
        JSON.stringify(row.ranges),
        now,
      );
      this.#pruneSessions(shard);
    }
    if (now - this.#sweptAt > 60_000) this.#sweep(now);
  }

  /** Where a resume of this session may start: past every seq whose handlers already completed. */
  settledThrough(shard: number, session: string, from: number): number {
    const row = this.#streams.get(streamKey(shard, session));
    return row ? settledThrough(row.ranges, from) : from;
  }

  #keySettled(key: string, now: number): boolean {
    return this.#sql.exec('SELECT 1 FROM ledger_keys WHERE key = ? AND expires_at > ?', key, now).toArray().length > 0;
  }

  #settled(item: LedgerItem, now: number): boolean {
    if (item.stream === null) return this.#keySettled(item.id, now);
    const row = this.#streams.get(streamKey(item.stream.shard, item.stream.session));
    return row !== undefined && contains(row.ranges, item.stream.seq);
  }

  #pruneSessions(shard: number): void {
    const rows = [...this.#streams.values()].filter((r) => r.shard === shard);
    if (rows.length <= SESSIONS_PER_SHARD) return;
    rows.sort((a, b) => b.updatedAt - a.updatedAt);
    for (const old of rows.slice(SESSIONS_PER_SHARD)) {
      this.#streams.delete(streamKey(old.shard, old.session));
      this.#sql.exec('DELETE FROM ledger_streams WHERE shard = ? AND session = ?', old.shard, old.session);
    }
  }

  #sweep(now: number): void {
    this.#sweptAt = now;
    this.#sql.exec('DELETE FROM ledger_keys WHERE expires_at <= ?', now);
    for (const [id, until] of this.#claims) if (until <= now) this.#claims.delete(id);
  }
}
