// Connect nonces seen within the replay window, in the coordinator's SQLite storage, so a captured signed
// connect cannot be replayed (it would replace the real host's socket) even after the object was evicted.
// The route checked the signature over host id + nonce; this remembers the nonce until no timestamp that
// could carry it is accepted any more: a timestamp may be up to MAX_CLOCK_SKEW_SECONDS ahead of our clock,
// and is then valid for twice that.
import { EdgeshardError, ERROR_CODES, MAX_CLOCK_SKEW_SECONDS } from '../../protocol/index.ts';

export const NONCE_TTL_MS = 2 * MAX_CLOCK_SKEW_SECONDS * 1000;

const ready = new WeakSet<SqlStorage>();

/** True the first time `nonce` is seen within NONCE_TTL_MS; forgets expired nonces on the way. */
export function rememberNonce(sql: SqlStorage, nonce: string, now: number): boolean {
  if (!ready.has(sql)) {
    sql.exec('CREATE TABLE IF NOT EXISTS connect_nonces (nonce TEXT PRIMARY KEY, expires_at INTEGER NOT NULL)');
    ready.add(sql);
  }
  sql.exec('DELETE FROM connect_nonces WHERE expires_at <= ?', now);
  if (sql.exec('SELECT 1 FROM connect_nonces WHERE nonce = ?', nonce).toArray().length > 0) return false;
  sql.exec('INSERT INTO connect_nonces (nonce, expires_at) VALUES (?, ?)', nonce, now + NONCE_TTL_MS);
  return true;
}

export function replayedConnect(): EdgeshardError {
  return new EdgeshardError(
    ERROR_CODES.BAD_SIGNATURE,
    'replayed lease connect: this nonce was already used; a host signs every connect with a fresh one',
  );
}
