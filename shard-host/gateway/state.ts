// The shard's state, as an explicit union. Shard#transition is the only place that changes it.
import type { EdgeshardError } from '../../protocol/errors.ts';

/** Who ended a connection. Every socket exit goes through Shard#disconnect with one of these. */
export type Initiator = 'server' | 'client-zombie' | 'client-reconnect' | 'client-stop' | 'error';

/** How the next connection starts. */
export type Next = 'resume' | 'reidentify';

export type ShardState =
  | { kind: 'idle' }
  /** Socket opening, waiting for Hello. */
  | { kind: 'connecting'; attempt: number; resume: boolean }
  /** Hello received, waiting for the identify gate, then for READY. */
  | { kind: 'identifying' }
  /** Resume sent, waiting for RESUMED (events replayed meanwhile). */
  | { kind: 'resuming'; sessionId: string }
  | { kind: 'ready'; sessionId: string }
  /** Waiting `delayMs` before connection attempt `attempt`. */
  | { kind: 'disconnected'; attempt: number; delayMs: number; next: Next; code: number }
  /** Ready to connect, waiting for the connect gate: this host opens no connection without a confirmed lease. */
  | { kind: 'awaiting-lease' }
  | { kind: 'stopped'; resumable: boolean }
  | { kind: 'fatal'; error: EdgeshardError };

export type ShardStateKind = ShardState['kind'];
