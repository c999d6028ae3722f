// The shards this host holds, at which epoch, as the coordinator assigns and revokes them. Each is started
// and stopped through the ShardRunner (pool.ts); a release reports the shard's final session, so its next
// owner resumes from it.
import type { GatewayCommand, SessionInfo, ShardReport } from '../../protocol/index.ts';
import type { Logger } from '../log.ts';

/** What the lease client needs from the host to run shards. The pool (pool.ts) implements it. */
export interface ShardRunner {
  start(shard: number, session: SessionInfo | null): void;
  /** Stops resumably (not 1000/1001), lets acknowledgements settle, returns the final session. */
  stop(shard: number, reason: string): Promise<SessionInfo | null>;
  report(shard: number): Omit<ShardReport, 'shard' | 'epoch'>;
  command(shard: number, payload: GatewayCommand): Promise<void>;
}

type Held = { phase: 'running'; epoch: number } | { phase: 'stopping'; epoch: number };

export class Assignments {
  readonly #runner: ShardRunner;
  readonly #log: Logger;
  readonly #held = new Map<number, Held>();
  readonly stats = { assigned: 0, released: 0 };

  constructor(runner: ShardRunner, log: Logger) {
    this.#runner = runner;
    this.#log = log;
  }

  /** Shards this host runs (stopping ones included), in order. */
  ids(): number[] {
    return [...this.#held.keys()].sort((a, b) => a - b);
  }

  /** The epoch of a running shard (undefined: not held, or stopping). */
  running(shard: number): number | undefined {
    const h = this.#held.get(shard);
    return h?.phase === 'running' ? h.epoch : undefined;
  }

  /** Epoch stamped on batches: still the held one while stopping (its last events are the new owner's replay). */
  epoch(shard: number): number {
    return this.#held.get(shard)?.epoch ?? 0;
  }

  reports(): ShardReport[] {
    return this.ids()
      .filter((s) => this.#held.get(s)!.phase === 'running')
      .map((shard) => ({ shard, epoch: this.#held.get(shard)!.epoch, ...this.#runner.report(shard) }));
  }

  async assign(shard: number, epoch: number, session: SessionInfo | null): Promise<void> {
    const held = this.#held.get(shard);
    if (held && held.epoch === epoch) return;
    if (held) await this.release(shard, 'reassigned at a new epoch');
    this.#held.set(shard, { phase: 'running', epoch });
    this.stats.assigned++;
    this.#log.info('shard assigned', { shard, epoch, resume: session !== null, seq: session?.seq });
    this.#runner.start(shard, session);
  }

  /** Stops the shard; resolves with what to report (null: it was not running here). */
  async release(shard: number, reason: string): Promise<{ epoch: number; session: SessionInfo | null } | null> {
    const held = this.#held.get(shard);
    if (!held || held.phase === 'stopping') return null;
    this.#held.set(shard, { phase: 'stopping', epoch: held.epoch });
    const session = await this.#runner.stop(shard, reason);
    this.#held.delete(shard);
    this.stats.released++;
    this.#log.info('shard released', { shard, epoch: held.epoch, reason, seq: session?.seq });
    return { epoch: held.epoch, session };
  }

  command(shard: number, epoch: number, payload: GatewayCommand): Promise<void> | null {
    return this.running(shard) === epoch ? this.#runner.command(shard, payload) : null;
  }
}
