// Resharding without downtime: the state machine the LeaseTable runs (one writer: LeaseTable#setReshard).
//
// Discord closes a shard that would hold more than 2,500 guilds with 4011 (Discord docs, Topics > Gateway >
// Sharding, "Max shards" and Opcodes and Status Codes > 4011), so a growing bot must move to more shards.
// A shard is the pair (count, id): guild g belongs to shard (g >> 22) % count of *each* count, so two
// generations can run side by side, each receiving every guild's events once.
//
//   idle ──start──▶ identifying ──every new shard READY, guildsPending 0──▶ switching ──window over──▶ done
//                       │                                                                 (old gen gone)
//                       └──cancel, timeout, no host can place it──▶ rolled-back (new gen closed)
//
// identifying: the new generation's rows (count = `to`) are spread over the live hosts by capacity, each
//   host up to its capacity per generation, never on a host that runs the same id in another generation
//   (hosts key their shards by id). They identify through the one identify queue (same buckets:
//   shard % max_concurrency) while the old generation keeps serving. Started only when
//   session_start_limit.remaining covers `to` identifies (refused otherwise, saying when it resets).
//   Events: the OLD generation is authoritative; the new generation's batches are admitted as `done`
//   (acknowledged and settled in the ledger, handlers not run: workers/coordinator/admit.ts).
// switch point: every new row is assigned, `ready`, and its host reports guildsPending 0 (a GUILD_CREATE for
//   each guild of its READY). In one operation: the table's current generation becomes `to`
//   (globals.shardCount, gateway-command routing, the fence), and every old row's owner gets
//   revoke {reason: 'retired'}: it closes that connection with 1000 (not resumable: the session ends).
// switching: for SWITCH_WINDOW_MS both generations' batches run, so nothing either one received is lost:
//   the old one's spooled tail and the new one's first events. Events with a platform id (MESSAGE_CREATE's
//   message id, INTERACTION_CREATE's id: PLATFORM_ID_TYPES) are de-duplicated across generations by a
//   ledger key `discord:{type}:{data.id}` during the window only; events without one may run twice when
//   both generations deliver them inside the window (the documented bound: the events the platform sent in
//   the moment between the switch and the old connections' close, plus the new generation's in-flight
//   batches at the switch). A retired shard delivers its whole spool before it releases (nobody replays it),
//   and the window lasts until every retired shard has released; then (done) old-generation batches are
//   refused (409 stale_epoch).
// Epochs: while a reshard is active every assignment takes an epoch above every epoch issued before
//   (`epochFloor`), so one (shard, epoch) names one row of one generation: the batch format needs no
//   shard count, and the admit tells generations apart by the epoch it carries.
import type { ShardRow } from './model.ts';
import type { ReshardAnswer } from '../protocol/reshard.ts';

/** Discord's most guilds per shard (close 4011 past it). */
export const GUILDS_PER_SHARD = 2_500;
/** Both generations run handlers (de-duplicated by platform id) this long after the switch. */
export const SWITCH_WINDOW_MS = 60_000;
/** A reshard that has not switched this long after its identify floor is rolled back. */
export const RESHARD_GRACE_MS = 10 * 60_000;
/** Event types whose `data.id` names the event itself, not an entity that later events share. */
export const PLATFORM_ID_TYPES: ReadonlySet<string> = new Set(['MESSAGE_CREATE', 'INTERACTION_CREATE']);

/** Rows of a retired or rolled-back generation, remembered so their batches are refused. */
export interface RetiredEpoch {
  shard: number;
  epoch: number;
}

interface Span {
  from: number;
  to: number;
  startedAt: number;
  reason: string;
}

export type Reshard =
  | { kind: 'idle' }
  | (Span & {
      kind: 'identifying';
      /** Rolled back if not switched by then. */
      deadline: number;
      /** Every epoch issued from now on is above this (raised by each assignment). */
      epochFloor: number;
      rows: Map<number, ShardRow>;
    })
  | (Span & {
      kind: 'switching';
      switchedAt: number;
      windowEndsAt: number;
      epochFloor: number;
      /** The old generation: rows until their owners release them (closed with 1000). */
      retired: Map<number, ShardRow>;
      retiredEpochs: RetiredEpoch[];
    })
  | (Span & { kind: 'done'; switchedAt: number; endedAt: number; retiredEpochs: RetiredEpoch[] })
  | (Span & { kind: 'rolled-back'; endedAt: number; why: string; retiredEpochs: RetiredEpoch[] });

export type ReshardKind = Reshard['kind'];

export function isActive(r: Reshard): r is Extract<Reshard, { kind: 'identifying' | 'switching' }> {
  return r.kind === 'identifying' || r.kind === 'switching';
}

/** The shortest time the new generation can take to identify: one identify per bucket per window. */
export function identifyFloorMs(to: number, maxConcurrency: number, windowMs: number): number {
  return Math.max(0, Math.ceil(to / Math.max(1, maxConcurrency)) - 1) * windowMs;
}

export interface StartCheck {
  reshard: Reshard;
  current: number | null;
  to: number;
  sessionStartRemaining: number | null;
  sessionStartResetAt: number | null;
  /** Live hosts' capacities (each runs up to its capacity per generation). */
  capacity: number;
  now: number;
}

/** Why a reshard to `to` cannot start now, or null. Each reason names what to do. */
export function refuseStart(c: StartCheck): string | null {
  if (!Number.isInteger(c.to) || c.to < 1 || c.to > 65_536) return `the shard count must be 1–65536, got ${c.to}`;
  if (c.current === null) return 'no shard host has announced itself yet: start a shard host first';
  if (isActive(c.reshard))
    return `a reshard ${c.reshard.from} → ${c.reshard.to} is in progress (${c.reshard.kind}): wait for it, or cancel it`;
  if (c.to === c.current) return `the bot already runs ${c.current} shards`;
  if (c.capacity < c.to)
    return `the live hosts can run ${c.capacity} shards of a generation, not ${c.to}: start more hosts or raise EDGESHARD_CAPACITY`;
  if (c.sessionStartRemaining !== null && c.sessionStartRemaining < c.to) {
    const when =
      c.sessionStartResetAt === null
        ? 'when the limit resets'
        : `after ${new Date(c.sessionStartResetAt).toISOString()} (in ${Math.ceil((c.sessionStartResetAt - c.now) / 60_000)} min)`;
    return `session_start_limit.remaining is ${c.sessionStartRemaining}, the new generation needs ${c.to} identifies: retry ${when}`;
  }
  return null;
}

/** The switch point: every new shard is held, READY, and has received the guilds of its READY. */
export function readyToSwitch(rows: ReadonlyMap<number, ShardRow>): boolean {
  for (const r of rows.values())
    if (r.phase !== 'assigned' || r.state !== 'ready' || r.guildsPending !== 0) return false;
  return rows.size > 0;
}

/**
 * The count an automatic reshard moves to: Discord's recommendation when a host reported one above the
 * current count, else enough for the guilds at half the threshold's load, at least one more than now;
 * rounded up to a multiple of max_concurrency (whole identify buckets).
 */
export function autoCount(
  guilds: number,
  current: number,
  maxConcurrency: number,
  reshardAt: number,
  recommended: number | null,
): number {
  const byLoad = Math.ceil(guilds / ((GUILDS_PER_SHARD * reshardAt) / 2));
  const want = Math.max(current + 1, byLoad, recommended ?? 0);
  const m = Math.max(1, maxConcurrency);
  return Math.ceil(want / m) * m;
}

/** Why the guild count calls for a reshard, or null. */
export function guildTrigger(guilds: number, count: number, reshardAt: number | null): string | null {
  if (reshardAt === null) return null;
  const limit = reshardAt * count * GUILDS_PER_SHARD;
  return guilds >= limit
    ? `${guilds} guilds reached EDGESHARD_RESHARD_AT ${reshardAt} of ${count} shards × ${GUILDS_PER_SHARD}`
    : null;
}

/** EDGESHARD_RESHARD_AT: a share in (0, 1], or `off`. */
export function parseReshardAt(raw: string | undefined): number | null | string {
  if (raw === undefined || raw === '') return 0.8;
  if (raw === 'off') return null;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0 || n > 1)
    return `EDGESHARD_RESHARD_AT must be a number in (0, 1] or "off", got "${raw}"`;
  return n;
}

/** What the CLI and the status page show: the wire form of protocol/reshard.ts, one definition. */
export type ReshardView = ReshardAnswer['reshard'];

export function viewOf(r: Reshard, now: number): ReshardView {
  if (r.kind === 'idle')
    return {
      kind: 'idle',
      from: null,
      to: null,
      reason: null,
      startedAgoMs: null,
      ready: 0,
      total: 0,
      switchedAgoMs: null,
      why: null,
    };
  const rows = r.kind === 'identifying' ? [...r.rows.values()] : [];
  const ready = rows.filter((x) => x.phase === 'assigned' && x.state === 'ready' && x.guildsPending === 0).length;
  return {
    kind: r.kind,
    from: r.from,
    to: r.to,
    reason: r.reason,
    startedAgoMs: now - r.startedAt,
    ready: r.kind === 'identifying' ? ready : r.kind === 'rolled-back' ? 0 : r.to,
    total: r.to,
    switchedAgoMs: r.kind === 'switching' || r.kind === 'done' ? now - r.switchedAt : null,
    why: r.kind === 'rolled-back' ? r.why : null,
  };
}
