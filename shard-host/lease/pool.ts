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
  /** `count`: the shard count of the assignment (a reshard runs two generations side by side). */
  create(id: number, session: SessionInfo | undefined, count: number): Shard;
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
  /** Guilds of the READY not yet followed by their GUILD_CREATE (a reshard switches at none); null: unknown. */
  pending: Set<string> | null;
  /** While `guilds` is unknown: guilds created / deleted since the start (reported as a delta). */
  joined: Set<string>;
  left: Set<string>;
  lastEventAt: number | null;
}

/** A shard retired by a reshard has no next owner to replay what its spool holds: it delivers all of it,
 *  waiting this long at most (the coordinator keeps admitting its batches until it has released). */
export const RETIRED_DRAIN_MS = 60_000;

/** The gateway closed with 4011 (GatewayCloseCodes.ShardingRequired; gateway/protocol.ts names the code in
 *  the error): the coordinator reshards, so the host keeps running for the new generation. */
export function isShardingRequired(error: Error): boolean {
  return /closed by server with 4011\b/.test(error.message);
}

function shardingRequired(s: Shard | undefined): boolean {
  return s?.state.kind === 'fatal' && isShardingRequired(s.state.error);
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

  start(shard: number, session: SessionInfo | null, count: number): void {
    if (this.#find(shard)) throw new Error(`shard ${shard} is already running on this host`);
    if (session) this.#d.sessions.session(shard, session);
    else this.#d.sessions.forget(shard);
    const s = this.#d.create(shard, session ?? undefined, count);
    this.#d.shards.push(s);
    this.#extra.set(shard, {
      guilds: session ? null : new Set(),
      pending: null,
      joined: new Set(),
      left: new Set(),
      lastEventAt: null,
    });
    s.start();
  }

  async stop(shard: number, reason: string, final = false): Promise<SessionInfo | null> {
    const s = this.#find(shard);
    if (s) {
      // Retired by a reshard: 1000 ends the session (Discord docs, Topics > Gateway > Disconnecting).
      await s.stop({ resumable: !final });
      this.#d.shards.splice(this.#d.shards.indexOf(s), 1);
    }
    const deadline = this.#clock.now() + (final ? RETIRED_DRAIN_MS : (this.#d.drainMs ?? 2_000));
    while (this.#d.spool.depth(shard).events > 0 && this.#clock.now() < deadline) await sleep(this.#clock, 25);
    const left = this.#d.spool.pending(shard, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
    if (left.length > 0)
      this.#d.spool.ack(
        shard,
        left.map((e) => e.pos),
      );
    const session = final ? null : this.#d.sessions.get(shard);
    this.#d.sessions.forget(shard);
    this.#extra.delete(shard);
    if (final && left.length > 0)
      this.#d.logger.error('EVENTS DROPPED: a retired shard could not deliver its spool before it closed', {
        shard,
        events: left.length,
        waitedMs: RETIRED_DRAIN_MS,
      });
    else
      this.#d.logger.info('shard stopped for handoff', { shard, reason, seq: session?.seq, leftToReplay: left.length });
    return session;
  }

  /** Called for every dispatch (main.ts onDispatch): guild count and last event time for the status page. */
  dispatched(record: DispatchRecord): void {
    const x = this.#extra.get(record.shard);
    if (!x) return;
    x.lastEventAt = this.#clock.now();
    const data = record.data as { id?: unknown; guilds?: { id: string }[]; unavailable?: boolean } | null;
    if (record.type === 'READY' && Array.isArray(data?.guilds)) {
      x.guilds = new Set(data.guilds.map((g) => g.id));
      x.pending = new Set(x.guilds);
    } else if (record.type === 'GUILD_CREATE' && typeof data?.id === 'string') {
      x.guilds?.add(data.id);
      x.pending?.delete(data.id);
      if (!x.guilds && !x.left.delete(data.id)) x.joined.add(data.id);
    } else if (record.type === 'GUILD_DELETE' && typeof data?.id === 'string' && data.unavailable !== true) {
      x.guilds?.delete(data.id);
      if (!x.guilds && !x.joined.delete(data.id)) x.left.add(data.id);
    }
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
      ...(x?.pending ? { guildsPending: x.pending.size } : {}),
      ...(x && !x.guilds ? { guildsDelta: x.joined.size - x.left.size } : {}),
      ...(shardingRequired(s) ? { shardingRequired: true } : {}),
    };
  }

  command(shard: number, payload: GatewayCommand): Promise<void> {
    const s = this.#find(shard);
    if (!s) return Promise.reject(new Error(`shard ${shard} is not running on this host`));
    return s.send(payload as Parameters<Shard['send']>[0]);
  }
}
