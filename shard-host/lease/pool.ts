// The shards this host runs in coordinator mode, as the lease client starts and stops them. Shards are
// created by the composition root's factory (same options as static mode) and kept in the host's shard
// list, which metrics, health and backpressure read. Stopping is the handoff's first half: close resumably
// (4900, never 1000/1001, so the session survives), let in-flight acknowledgements settle for a moment,
// then hand back the session at the Worker's watermark; what the spool still holds for the shard is left
// to the next owner, whose resume makes the platform replay it.
import type { GatewayCommand, SessionInfo, ShardReport } from '../../protocol/index.ts';
import { sleep, systemClock, type Clock } from '../gateway/clock.ts';
import type { DispatchRecord, Shard } from '../gateway/index.ts';
import type { Logger } from '../log.ts';
import type { Spool } from '../spool/types.ts';
import type { ShardRunner } from './assignments.ts';
import type { SessionTracker } from '../sessions/tracker.ts';

export interface ShardPoolDeps {
  /** The host's live shard list; the pool adds and removes its shards here. */
  shards: Shard[];
  create(id: number, session: SessionInfo | undefined): Shard;
  /** The SessionTracker: told which session a starting shard resumes (its watermark starts there), and
   *  asked for the session at the Worker's watermark when the shard is reported or released. */
  sessions: Pick<SessionTracker, 'session' | 'get' | 'forget'>;
  spool: Pick<Spool, 'depth' | 'pending' | 'ack'>;
  logger: Logger;
  /** How long a stopping shard's spooled events may take to be acknowledged. Default 2 s. */
  drainMs?: number;
  clock?: Clock;
}

interface Extra {
  /** Null while unknown: a resumed session gets no READY listing its guilds. */
  guilds: Set<string> | null;
  lastEventAt: number | null;
}

export class ShardPool implements ShardRunner {
  readonly #d: ShardPoolDeps;
  readonly #clock: Clock;
  readonly #extra = new Map<number, Extra>();

  constructor(deps: ShardPoolDeps) {
    this.#d = deps;
    this.#clock = deps.clock ?? systemClock;
  }

  #find(shard: number): Shard | undefined {
    return this.#d.shards.find((s) => s.id === shard);
  }

  start(shard: number, session: SessionInfo | null): void {
    if (this.#find(shard)) throw new Error(`shard ${shard} is already running on this host`);
    if (session) this.#d.sessions.session(shard, session);
    else this.#d.sessions.forget(shard);
    const s = this.#d.create(shard, session ?? undefined);
    this.#d.shards.push(s);
    this.#extra.set(shard, { guilds: session ? null : new Set(), lastEventAt: null });
    s.start();
  }

  async stop(shard: number, reason: string): Promise<SessionInfo | null> {
    const s = this.#find(shard);
    if (s) {
      await s.stop({ resumable: true });
      this.#d.shards.splice(this.#d.shards.indexOf(s), 1);
    }
    const deadline = this.#clock.now() + (this.#d.drainMs ?? 2_000);
    while (this.#d.spool.depth(shard).events > 0 && this.#clock.now() < deadline) await sleep(this.#clock, 25);
    const left = this.#d.spool.pending(shard, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
    if (left.length > 0)
      this.#d.spool.ack(
        shard,
        left.map((e) => e.pos),
      );
    const session = this.#d.sessions.get(shard);
    this.#d.sessions.forget(shard);
    this.#extra.delete(shard);
    this.#d.logger.info('shard stopped for handoff', { shard, reason, seq: session?.seq, leftToReplay: left.length });
    return session;
  }

  /** Called for every dispatch (main.ts onDispatch): guild count and last event time for the status page. */
  dispatched(record: DispatchRecord): void {
    const x = this.#extra.get(record.shard);
    if (!x) return;
    x.lastEventAt = this.#clock.now();
    const data = record.data as { id?: unknown; guilds?: { id: string }[]; unavailable?: boolean } | null;
    if (record.type === 'READY' && Array.isArray(data?.guilds)) x.guilds = new Set(data.guilds.map((g) => g.id));
    else if (record.type === 'GUILD_CREATE' && typeof data?.id === 'string') x.guilds?.add(data.id);
    else if (record.type === 'GUILD_DELETE' && typeof data?.id === 'string' && data.unavailable !== true)
      x.guilds?.delete(data.id);
  }

  report(shard: number): Omit<ShardReport, 'shard' | 'epoch'> {
    const s = this.#find(shard);
    const x = this.#extra.get(shard);
    return {
      state: s?.state.kind ?? 'stopped',
      session: this.#d.sessions.get(shard),
      latencyMs: s?.stats().latencyMs ?? null,
      guilds: x ? (x.guilds?.size ?? null) : 0,
      lastEventAgeMs: x?.lastEventAt == null ? null : this.#clock.now() - x.lastEventAt,
    };
  }

  command(shard: number, payload: GatewayCommand): Promise<void> {
    const s = this.#find(shard);
    if (!s) return Promise.reject(new Error(`shard ${shard} is not running on this host`));
    return s.send(payload as Parameters<Shard['send']>[0]);
  }
}
