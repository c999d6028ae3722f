// Sessions in one small JSON file (EDGESHARD_SESSION_FILE). Writes are batched: a save marks the file dirty
// and one write follows within `delayMs`; the write goes to a temporary file that is synced and renamed
// over the old one, so a crash (even SIGKILL) leaves either the old or the new file, never half of one.
// A lost last write only means the gateway replays a little more (at-least-once), never a lost event.
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { open, readFile, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Logger } from '../log.ts';
import { parseSessionFile, SESSION_FILE_VERSION } from './format.ts';
import type { SessionStore, StoredSession } from './types.ts';

export interface FileSessionStoreOptions {
  path: string;
  logger: Logger;
  /** The bot token the sessions belong to; only its fingerprint is written. */
  token?: string;
  /** Longest a save waits before it is written. Default 100 ms. */
  delayMs?: number;
}

export class FileSessionStore implements SessionStore {
  readonly #path: string;
  readonly #log: Logger;
  readonly #delayMs: number;
  readonly #bot: string | null;
  readonly #sessions = new Map<number, StoredSession>();
  #timer: NodeJS.Timeout | null = null;
  #writing: Promise<void> = Promise.resolve();
  #dirty = false;
  #closed = false;

  constructor(options: FileSessionStoreOptions) {
    this.#path = options.path;
    this.#log = options.logger;
    this.#delayMs = options.delayMs ?? 100;
    this.#bot = options.token === undefined ? null : tokenFingerprint(options.token);
    mkdirSync(dirname(this.#path), { recursive: true });
  }

  async load(): Promise<Map<number, StoredSession>> {
    let text: string;
    try {
      text = await readFile(this.#path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
      throw err;
    }
    const parsed = parseSessionFile(text);
    if (!parsed.ok) {
      // Keep the bad file for inspection; start without sessions (shards identify) rather than not at all.
      const aside = `${this.#path}.corrupt-${Date.now()}`;
      await rename(this.#path, aside);
      this.#log.error('session file unreadable; moved aside, shards will identify', {
        path: this.#path,
        movedTo: aside,
        reason: parsed.reason,
      });
      return new Map();
    }
    if (this.#bot !== null && parsed.bot !== this.#bot) {
      // Sessions of another bot (or of an emulator run with its own token) cannot be resumed with ours.
      this.#log.info('session file belongs to another bot token; shards will identify', { path: this.#path });
      return new Map();
    }
    for (const [shard, session] of parsed.sessions) this.#sessions.set(shard, session);
    return new Map([...this.#sessions].map(([shard, s]) => [shard, { ...s }]));
  }

  save(shard: number, session: StoredSession | null): void {
    if (this.#closed) return;
    if (session) this.#sessions.set(shard, { ...session });
    else if (!this.#sessions.delete(shard)) return;
    this.#dirty = true;
    if (this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      void this.#write();
    }, this.#delayMs);
    this.#timer.unref();
  }

  async flush(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    await this.#write();
  }

  async close(): Promise<void> {
    await this.flush();
    this.#closed = true;
  }

  /** One write at a time; a save during a write is picked up by the next one. */
  #write(): Promise<void> {
    this.#writing = this.#writing.then(async () => {
      if (!this.#dirty) return;
      this.#dirty = false;
      const body = JSON.stringify(
        {
          v: SESSION_FILE_VERSION,
          ...(this.#bot === null ? {} : { bot: this.#bot }),
          sessions: Object.fromEntries(this.#sessions),
        },
        null,
        1,
      );
      const tmp = `${this.#path}.tmp-${process.pid}`;
      try {
        const file = await open(tmp, 'w', 0o600);
        try {
          await file.writeFile(body);
          await file.datasync();
        } finally {
          await file.close();
        }
        await rename(tmp, this.#path);
      } catch (err) {
        this.#dirty = true; // try again with the next save or flush
        this.#log.error('cannot write the session file; a restart may identify instead of resuming', {
          path: this.#path,
          error: err,
        });
      }
    });
    return this.#writing;
  }
}

/** A short SHA-256 of the token: enough to tell bots apart, useless to anyone reading the file. */
export function tokenFingerprint(token: string): string {
  return createHash('sha256').update(token).digest('hex').slice(0, 16);
}
