// The lease table in the Durable Object's SQLite storage. Loaded once when the object starts (inside
// blockConcurrencyWhile), written row by row for what an operation marked dirty, inside the same
// transactionSync as the operation. Shard rows are never deleted, so an epoch is never reset.
import type { LeaseTable } from '../../coordination/table.ts';
import {
  assignedTo,
  emptyState,
  handingOff,
  UNASSIGNED,
  type Globals,
  type ShardLease,
  type TableState,
} from '../../coordination/model.ts';

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS hosts (id TEXT PRIMARY KEY, capacity INTEGER NOT NULL, connected INTEGER NOT NULL, lease_expires_at INTEGER NOT NULL, last_seen_at INTEGER NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS shards (shard INTEGER PRIMARY KEY, owner TEXT, epoch INTEGER NOT NULL, phase TEXT NOT NULL, handoff_to TEXT, handoff_deadline INTEGER,
     session_id TEXT, resume_url TEXT, seq INTEGER, state TEXT NOT NULL, latency_ms REAL, guilds INTEGER NOT NULL, last_event_at INTEGER, updated_at INTEGER NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)`,
];

/** Columns added after a table was first created: added to tables that lack them. */
const MIGRATIONS: { table: string; column: string; type: string }[] = [
  { table: 'hosts', column: 'allowed', type: 'TEXT' },
];

type Row = Record<string, SqlStorageValue>;
const num = (v: SqlStorageValue): number => Number(v);
const numOrNull = (v: SqlStorageValue): number | null => (v === null ? null : Number(v));
const strOrNull = (v: SqlStorageValue): string | null => (v === null ? null : String(v));

/** A stored row's lease; a row that breaks the phase's rules (written by hand, or by an older version) is
 *  read as unassigned, which costs a fresh assignment at a higher epoch, never two owners. */
function leaseOf(r: Row): ShardLease {
  const owner = strOrNull(r.owner!);
  const to = strOrNull(r.handoff_to!);
  const deadline = numOrNull(r.handoff_deadline!);
  if (r.phase === 'assigned' && owner !== null) return assignedTo(owner);
  if (r.phase === 'handoff' && owner !== null && to !== null && deadline !== null)
    return handingOff(owner, to, deadline);
  return UNASSIGNED;
}

export function loadState(sql: SqlStorage): TableState {
  for (const statement of SCHEMA) sql.exec(statement);
  for (const m of MIGRATIONS) {
    const columns = sql.exec<{ name: string }>(`PRAGMA table_info(${m.table})`).toArray();
    if (!columns.some((c) => c.name === m.column)) sql.exec(`ALTER TABLE ${m.table} ADD COLUMN ${m.column} ${m.type}`);
  }
  const state = emptyState();
  for (const r of sql.exec<Row>('SELECT * FROM hosts')) {
    const id = String(r.id);
    state.hosts.set(id, {
      id,
      capacity: num(r.capacity!),
      connected: num(r.connected!) === 1,
      leaseExpiresAt: num(r.lease_expires_at!),
      lastSeenAt: num(r.last_seen_at!),
      allowed:
        r.allowed === null || r.allowed === undefined ? null : new Set(JSON.parse(String(r.allowed)) as number[]),
    });
  }
  for (const r of sql.exec<Row>('SELECT * FROM shards')) {
    const shard = num(r.shard!);
    const sessionId = strOrNull(r.session_id!);
    state.shards.set(shard, {
      shard,
      ...leaseOf(r),
      epoch: num(r.epoch!),
      session: sessionId === null ? null : { sessionId, resumeUrl: String(r.resume_url), seq: num(r.seq!) },
      state: String(r.state),
      latencyMs: numOrNull(r.latency_ms!),
      guilds: num(r.guilds!),
      lastEventAt: numOrNull(r.last_event_at!),
      updatedAt: num(r.updated_at!),
    });
  }
  for (const r of sql.exec<Row>('SELECT key, value FROM meta')) {
    if (r.key === 'globals') state.globals = JSON.parse(String(r.value)) as Globals;
    if (r.key === 'buckets') state.buckets = new Map(JSON.parse(String(r.value)) as [number, number][]);
  }
  return state;
}

/** Writes and clears what `table` marked dirty. Call inside ctx.storage.transactionSync. */
export function saveDirty(sql: SqlStorage, table: LeaseTable): void {
  const { state, dirty } = table;
  for (const id of dirty.deletedHosts) sql.exec('DELETE FROM hosts WHERE id = ?', id);
  for (const id of dirty.hosts) {
    const h = state.hosts.get(id);
    if (!h) continue;
    sql.exec(
      'INSERT OR REPLACE INTO hosts (id, capacity, connected, lease_expires_at, last_seen_at, allowed) VALUES (?, ?, ?, ?, ?, ?)',
      h.id,
      h.capacity,
      h.connected ? 1 : 0,
      h.leaseExpiresAt,
      h.lastSeenAt,
      h.allowed === null ? null : JSON.stringify([...h.allowed]),
    );
  }
  for (const shard of dirty.shards) {
    const s = state.shards.get(shard);
    if (!s) continue;
    sql.exec(
      `INSERT OR REPLACE INTO shards (shard, owner, epoch, phase, handoff_to, handoff_deadline, session_id, resume_url, seq, state, latency_ms, guilds, last_event_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      s.shard,
      s.owner,
      s.epoch,
      s.phase,
      s.handoffTo,
      s.handoffDeadline,
      s.session?.sessionId ?? null,
      s.session?.resumeUrl ?? null,
      s.session?.seq ?? null,
      s.state,
      s.latencyMs,
      s.guilds,
      s.lastEventAt,
      s.updatedAt,
    );
  }
  if (dirty.globals) {
    sql.exec('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)', 'globals', JSON.stringify(state.globals));
    sql.exec('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)', 'buckets', JSON.stringify([...state.buckets]));
  }
  dirty.hosts.clear();
  dirty.deletedHosts.clear();
  dirty.shards.clear();
  dirty.globals = false;
}
