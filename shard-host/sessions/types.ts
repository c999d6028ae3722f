// Where a host keeps each shard's session between runs, so a restart resumes instead of identifying
// (DESIGN.md, guarantee 3). A single host uses a local file (file.ts); the ShardCoordinator DO will
// implement the same interface so any host can resume any shard.
import type { SessionInfo } from '../gateway/session.ts';

export interface StoredSession extends SessionInfo {
  /** Shard count the session was identified with; a session is useless under another count. */
  shardCount: number;
  /** Unix ms of the last change. */
  updatedAt: number;
}

export interface SessionStore {
  /** Every stored session by shard id. */
  load(): Promise<Map<number, StoredSession>>;
  /** Records a shard's session (null: forget it). Cheap: implementations batch the writes. */
  save(shard: number, session: StoredSession | null): void;
  /** Resolves once every earlier save is stored. */
  flush(): Promise<void>;
  close(): Promise<void>;
}
