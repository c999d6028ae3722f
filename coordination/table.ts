// The lease table: who runs which shard at which epoch, until when. Sans-IO: every method takes `now` and
// returns the messages to send; the Durable Object persists the rows it marks dirty in the same
// synchronous transaction (durable-objects/coordinator.ts), so read-check-write never interleaves.
import {
  EdgeshardError,
  ERROR_CODES,
  LEASE_PROTOCOL_VERSION as v,
  type CoordinatorMessage,
  type GatewayCommand,
  type HostMessage,
  type SessionInfo,
  type ShardReport,
} from '../protocol/index.ts';
import { pickHost, targets } from './balance.ts';
import { mergeSessionStartLimit, reserveIdentify } from './identify.ts';
import { IdentifyQueue, type IdentifyRequest } from './identify-queue.ts';
import {
  autoCount,
  guildTrigger,
  identifyFloorMs,
  isActive,
  readyToSwitch,
  refuseStart,
  RESHARD_GRACE_MS,
  SWITCH_WINDOW_MS,
  viewOf,
  type Reshard,
  type ReshardView,
} from './reshard.ts';
import {
  assignedTo,
  handingOff,
  newShardRow,
  UNASSIGNED,
  type CoordinatorConfig,
  type HostRow,
  type ShardLease,
  type ShardReportFields,
  type ShardRow,
  type TableState,
} from './model.ts';

export interface Outgoing {
  host: string;
  message: CoordinatorMessage;
  /** Close the host's connection after sending (protocol errors). */
  close?: boolean;
}

type Msg<T extends HostMessage['type']> = Extract<HostMessage, { type: T }>;

/** The delivery ledger, seen from the lease table: a handed-over session resumes past every event whose
 *  handlers completed, not from the lagging seq its last owner reported in a renewal. */
export interface ResumePoints {
  settledThrough(shard: number, session: string, from: number): number;
}

/** The longest a host waits between two attempts to reach the coordinator (its reconnect backoff cap). */
export const RECONNECT_CAP_MS = 10_000;

/** Whether the host's EDGESHARD_SHARDS lets it run the shard. */
function mayRun(host: HostRow, shard: number): boolean {
  return host.allowed === null || host.allowed.has(shard);
}

export type Generation = 'current' | 'next' | 'retired' | 'stale' | 'unknown';

export interface TableOptions {
  /** EDGESHARD_RESHARD_AT: automatic resharding at this share of shards × 2500 guilds; null: off. */
  reshardAt?: number | null;
  /** Where reshard transitions and automatic triggers are logged (the DO: console). */
  log?: (msg: string, fields: Record<string, unknown>) => void;
}

/** An automatic reshard that was refused is retried after this. */
const AUTO_RETRY_MS = 10 * 60_000;

/** Hosts expired this long (in TTLs) and not connected are forgotten. */
const FORGET_AFTER_TTLS = 10;

export class LeaseTable {
  readonly state: TableState;
  readonly config: CoordinatorConfig;
  readonly dirty = {
    hosts: new Set<string>(),
    deletedHosts: new Set<string>(),
    shards: new Set<number>(),
    deletedShards: new Set<number>(),
    globals: false,
    reshard: false,
  };
  #out: Outgoing[] = [];
  readonly #identifyQueue = new IdentifyQueue();
  /** Hosts whose hello said they report identify answers (in memory: every reconnect says it again). */
  readonly #answering = new Set<string>();
  /** Hosts shutting down: they release their shards and get no new ones (in memory: a reconnect says hello). */
  readonly #draining = new Set<string>();

  readonly #resumePoints: ResumePoints | null;
  readonly #o: TableOptions;
  #reshardAt: number | null;
  /** An automatic reshard refused (identify budget, capacity) is not tried again before this. */
  #autoQuietUntil = 0;
  /** Discord's recommended shard count, from the latest hello that carried one. */
  #recommended: number | null = null;

  constructor(
    state: TableState,
    config: CoordinatorConfig,
    resumePoints: ResumePoints | null = null,
    options: TableOptions = {},
  ) {
    this.state = state;
    this.config = config;
    this.#resumePoints = resumePoints;
    this.#o = options;
    this.#reshardAt = options.reshardAt ?? null;
  }

  /** Automatic resharding follows Discord's limits (2500 guilds a shard, 4011): another platform's coordinator
   *  turns it off (workers/durable-objects/coordinator.ts). */
  setReshardAt(at: number | null): void {
    this.#reshardAt = at;
  }

  /** Runs one operation: expire what is due, apply it, plan, and return what to send. */
  #run(now: number, op: () => void): Outgoing[] {
    this.#out = [];
    this.#outageGrace(now);
    this.#expire(now);
    for (const bucket of this.#identifyQueue.expire(now)) this.#serveBucket(bucket, now);
    op();
    this.#endWindow(now);
    this.#plan(now);
    return this.#out;
  }

  handle(hostId: string, msg: HostMessage, now: number): Outgoing[] {
    switch (msg.type) {
      case 'hello':
        return this.#run(now, () => this.#hello(hostId, msg, now));
      case 'renew':
        return this.#run(now, () => this.#renew(hostId, msg, now));
      case 'released':
        return this.#run(now, () => this.#released(hostId, msg, now));
      case 'identify':
        return this.#run(now, () => this.#identify(hostId, msg, now));
      case 'answered':
        return this.#run(now, () => this.#answered(hostId, msg.shard, now, this.config.identifyWindowMs));
      case 'drain':
        return this.#run(now, () => void this.#draining.add(hostId));
      case 'bye':
        return this.#run(now, () => this.#bye(hostId, now));
    }
  }

  disconnected(hostId: string, now: number): Outgoing[] {
    return this.#run(now, () => {
      const host = this.state.hosts.get(hostId);
      if (!host) return;
      host.connected = false;
      host.lastSeenAt = now;
      this.dirty.hosts.add(hostId);
      this.#answering.delete(hostId);
      // Its identify may have reached the gateway just now: a full spacing from now is safe.
      for (const bucket of this.#identifyQueue.dropHost(hostId))
        this.#freeBucket(bucket, now, this.config.identifySpacingMs);
    });
  }

  /** The alarm: expire leases, end overdue handoffs, forget long-dead hosts, assign what is free. */
  tick(now: number): Outgoing[] {
    return this.#run(now, () => {
      for (const row of this.state.shards.values()) {
        if (row.phase === 'handoff' && row.handoffDeadline !== null && row.handoffDeadline <= now) {
          // The owner is alive (its lease holds) but did not release in time: it keeps the shard.
          this.#setLease(row, assignedTo(row.owner), now);
        }
      }
      const r = this.state.reshard;
      if (r.kind === 'identifying' && r.deadline <= now)
        this.#rollBack('not every new shard was READY with its guilds in time', now);
      for (const host of [...this.state.hosts.values()]) {
        if (!host.connected && host.leaseExpiresAt + FORGET_AFTER_TTLS * this.config.leaseTtlMs <= now) {
          this.state.hosts.delete(host.id);
          this.dirty.deletedHosts.add(host.id);
        }
      }
    });
  }

  /** The earliest time tick() has work: a lease or handoff deadline, or a dead host to forget. */
  nextDeadline(now: number): number | null {
    let next = Infinity;
    for (const h of this.state.hosts.values()) {
      if (h.leaseExpiresAt > now) next = Math.min(next, h.leaseExpiresAt);
      else if (!h.connected) next = Math.min(next, h.leaseExpiresAt + FORGET_AFTER_TTLS * this.config.leaseTtlMs);
    }
    for (const s of this.state.shards.values())
      if (s.handoffDeadline !== null) next = Math.min(next, s.handoffDeadline);
    const r = this.state.reshard;
    if (r.kind === 'identifying') next = Math.min(next, r.deadline);
    if (r.kind === 'switching' && r.windowEndsAt > now) next = Math.min(next, r.windowEndsAt);
    const answer = this.#identifyQueue.nextDeadline();
    if (answer !== null) next = Math.min(next, answer);
    return next === Infinity ? null : next;
  }

  /** Starts a reshard to `to` shards; throws RESHARD_REFUSED with the reason and what to do. */
  reshard(to: number, reason: string, now: number): Outgoing[] {
    const refusal = this.#refusal(to, now);
    if (refusal) throw new EdgeshardError(ERROR_CODES.RESHARD_REFUSED, `reshard to ${to} shards refused: ${refusal}`);
    return this.#run(now, () => this.#start(to, reason, now));
  }

  /** Rolls back a reshard that has not switched yet: the new generation closes for good. */
  cancelReshard(now: number): Outgoing[] {
    if (this.state.reshard.kind !== 'identifying')
      throw new EdgeshardError(
        ERROR_CODES.RESHARD_REFUSED,
        `no reshard can be cancelled now (${this.state.reshard.kind}): only one that has not switched`,
      );
    return this.#run(now, () => this.#rollBack('cancelled by the operator', now));
  }

  reshardView(now: number): ReshardView {
    return viewOf(this.state.reshard, now);
  }

  /**
   * Which generation a gateway batch belongs to, from its shard and lease epoch (unique per row while a
   * reshard is active): the current one, the new one being identified, the old one inside the switch window,
   * stale (an older epoch, or a retired or rolled-back row), or unknown (no such shard).
   */
  generationOf(shard: number, epoch: number): Generation {
    const cur = this.state.shards.get(shard);
    if (cur && cur.epoch === epoch) return 'current';
    const r = this.state.reshard;
    if (r.kind === 'identifying' && r.rows.get(shard)?.epoch === epoch) return 'next';
    if (r.kind !== 'idle' && r.kind !== 'identifying') {
      if (r.retiredEpochs.some((x) => x.shard === shard && x.epoch === epoch))
        return r.kind === 'switching' ? 'retired' : 'stale';
    }
    // No host has said hello yet: nothing to fence against (the ledger still runs each event once).
    if (this.state.globals.shardCount === null) return 'current';
    if (!cur) return r.kind === 'identifying' && r.rows.has(shard) ? 'stale' : 'unknown';
    return epoch < cur.epoch ? 'stale' : 'current';
  }

  epochOf(shard: number): number {
    return this.state.shards.get(shard)?.epoch ?? 0;
  }

  /** Routes a gateway command to the owner of the guild's shard (Discord docs, Topics > Gateway > Sharding). */
  command(guildId: string, payload: GatewayCommand): Outgoing {
    const count = this.state.globals.shardCount;
    if (count === null)
      throw new EdgeshardError(
        ERROR_CODES.NOT_AVAILABLE,
        'no shard host has announced itself to the coordinator yet: start a shard host (npx shard-host)',
      );
    if (!/^\d{1,20}$/.test(guildId))
      throw new EdgeshardError(ERROR_CODES.MALFORMED_PAYLOAD, `guild id must be a snowflake, got "${guildId}"`);
    const shard = Number((BigInt(guildId) >> 22n) % BigInt(count));
    const row = this.state.shards.get(shard);
    if (!row?.owner)
      throw new EdgeshardError(
        ERROR_CODES.NOT_AVAILABLE,
        `shard ${shard} (guild ${guildId}) has no host right now (moving or no capacity); retry in a few seconds`,
      );
    // Its owner was asked to release it and will drop commands while it stops: refuse now, not silently later.
    if (row.phase === 'handoff')
      throw new EdgeshardError(
        ERROR_CODES.NOT_AVAILABLE,
        `shard ${shard} (guild ${guildId}) is moving from ${row.owner} to ${row.handoffTo ?? 'another host'}; retry in a few seconds`,
      );
    return { host: row.owner, message: { v, type: 'command', shard, epoch: row.epoch, payload } };
  }

  isLive(host: HostRow, now: number): boolean {
    return host.connected && host.leaseExpiresAt > now;
  }

  #send(host: string, message: CoordinatorMessage, close = false): void {
    this.#out.push(close ? { host, message, close } : { host, message });
  }

  /** The one place a shard's lease changes (and, with `epoch`, its fencing token). */
  #setLease(
    row: ShardRow,
    lease: ShardLease,
    now: number,
    patch: { epoch?: number; state?: string; session?: SessionInfo | null } = {},
  ): void {
    Object.assign(row, lease, patch, { updatedAt: now });
    this.#touch(row);
  }

  /** Current-generation rows are stored one by one; the other generations' rows with the reshard state. */
  #touch(row: ShardRow): void {
    if (this.state.shards.get(row.shard) === row) this.dirty.shards.add(row.shard);
    else this.dirty.reshard = true;
  }

  /** What the owner reports; never the lease. */
  #setReport(row: ShardRow, report: Partial<ShardReportFields>, now: number): void {
    Object.assign(row, report, { updatedAt: now });
    this.#touch(row);
  }

  #hello(hostId: string, msg: Msg<'hello'>, now: number): void {
    const g = this.state.globals;
    // The first host seeds the count; later hosts run what the table says (each assign carries its count),
    // so a host started with another count joins instead of being refused: counts change by resharding.
    if (g.shardCount === null) {
      g.shardCount = msg.shardCount;
      for (let i = 0; i < msg.shardCount; i++) {
        this.state.shards.set(i, newShardRow(i, now, msg.shardCount));
        this.dirty.shards.add(i);
      }
    }
    if (msg.gateway.recommendedShards !== undefined) this.#recommended = msg.gateway.recommendedShards;
    g.maxConcurrency = msg.gateway.maxConcurrency;
    mergeSessionStartLimit(
      g,
      now,
      msg.gateway.sessionStartTotal,
      msg.gateway.sessionStartRemaining,
      msg.gateway.sessionStartResetAfterMs,
    );
    this.dirty.globals = true;
    this.state.hosts.set(hostId, {
      id: hostId,
      capacity: msg.capacity,
      connected: true,
      leaseExpiresAt: now + this.config.leaseTtlMs,
      lastSeenAt: now,
      allowed: msg.allowedShards ? new Set(msg.allowedShards) : null,
      ...(msg.load ? { load: msg.load } : {}),
    });
    this.dirty.hosts.add(hostId);
    this.#draining.delete(hostId);
    if (msg.answers === true) this.#answering.add(hostId);
    else this.#answering.delete(hostId);
    this.#send(hostId, {
      v,
      type: 'welcome',
      leaseTtlMs: this.config.leaseTtlMs,
      renewEveryMs: this.config.renewEveryMs,
      shardCount: g.shardCount,
      answers: true,
    });
    // renewed first: the host extends its lease before it acts on what the reconcile sends.
    this.#send(hostId, { v, type: 'renewed', id: msg.id });
    this.#reconcile(hostId, msg.shards, now);
  }

  #renew(hostId: string, msg: Msg<'renew'>, now: number): void {
    const host = this.state.hosts.get(hostId);
    if (!host)
      return this.#send(
        hostId,
        {
          v,
          type: 'error',
          code: 'unknown_host',
          message:
            'the coordinator does not know this host (forgotten after a long silence): reconnecting announces it again',
        },
        true,
      );
    Object.assign(host, { connected: true, leaseExpiresAt: now + this.config.leaseTtlMs, lastSeenAt: now });
    if (msg.load) host.load = msg.load;
    this.dirty.hosts.add(hostId);
    this.#send(hostId, { v, type: 'renewed', id: msg.id });
    this.#reconcile(hostId, msg.shards, now);
    this.#autoReshard(now);
  }

  /** Takes the host's word for shards it owns at the current epoch; anything else it runs is stale. */
  #reconcile(hostId: string, reports: readonly ShardReport[], now: number): void {
    const reported = new Set<ShardRow>();
    for (const r of reports) {
      const row = this.#rowAt(r.shard, r.epoch);
      if (row && row.owner === hostId && this.#isRetired(row)) {
        // Still open after the switch: the revoke that closes it for good was lost with a connection.
        this.#send(hostId, { v, type: 'revoke', shard: r.shard, epoch: r.epoch, reason: 'retired' });
        continue;
      }
      if (!row || row.owner !== hostId) {
        this.#send(hostId, { v, type: 'revoke', shard: r.shard, epoch: r.epoch, reason: 'stale' });
        continue;
      }
      reported.add(row);
      if (r.shardingRequired === true && this.state.shards.get(row.shard) === row)
        this.#shardingRequired(row.shard, now);
      this.#setReport(
        row,
        {
          state: r.state,
          session: r.session ?? row.session,
          latencyMs: r.latencyMs,
          guilds:
            r.guilds ??
            (r.guildsDelta === undefined ? row.guilds : Math.max(0, (row.guildsBase ??= row.guilds) + r.guildsDelta)),
          // A resumed session sees no READY: the last count stands (its GUILD_CREATEs were replayed or spooled).
          guildsPending: r.guildsPending ?? row.guildsPending,
          lastEventAt: r.lastEventAgeMs === null ? row.lastEventAt : now - r.lastEventAgeMs,
        },
        now,
      );
    }
    for (const row of this.#liveRows()) {
      // Ours but not reported: the assignment was lost with a dropped connection. Send it again.
      if (row.owner === hostId && row.phase === 'assigned' && !reported.has(row)) this.#sendAssign(row);
    }
  }

  #released(hostId: string, msg: Msg<'released'>, now: number): void {
    const row = this.#rowAt(msg.shard, msg.epoch);
    if (!row || row.owner !== hostId) return this.#answered(hostId, msg.shard, now, this.config.identifySpacingMs);
    if (this.#isRetired(row)) {
      this.#dropRetired(row);
      return this.#answered(hostId, msg.shard, now, this.config.identifySpacingMs);
    }
    const preferred = row.handoffTo;
    this.#setLease(row, UNASSIGNED, now, { state: 'released', session: msg.session ?? row.session });
    const to = preferred === null ? undefined : this.state.hosts.get(preferred);
    if (to && this.isLive(to, now) && this.#owned(to.id) < to.capacity && !this.#holdsOther(to.id, row))
      this.#assign(row, to.id, now);
    // Stopped before its identify was answered: the identify may still have reached the gateway.
    this.#answered(hostId, msg.shard, now, this.config.identifySpacingMs);
  }

  #identify(hostId: string, msg: Msg<'identify'>, now: number): void {
    const req: IdentifyRequest = { host: hostId, id: msg.id, shard: msg.shard, epoch: msg.epoch };
    if (!this.#mayIdentify(req)) return;
    if (this.#identifyQueue.mustWait(this.#bucketOf(msg.shard), req)) return;
    this.#grant(req, now);
  }

  #mayIdentify(req: IdentifyRequest): boolean {
    const row = this.#rowAt(req.shard, req.epoch);
    if (row && row.owner === req.host && !this.#isRetired(row)) return true;
    this.#send(req.host, {
      v,
      type: 'identify-wait',
      id: req.id,
      shard: req.shard,
      retryAfterMs: this.config.renewEveryMs,
      reason: `this host does not own shard ${req.shard} at epoch ${req.epoch}`,
    });
    return false;
  }

  #bucketOf(shard: number): number {
    return shard % Math.max(1, this.state.globals.maxConcurrency);
  }

  #grant(req: IdentifyRequest, now: number): void {
    // A host that reports answers holds the bucket until its identify is answered, and the next one goes a
    // window after that answer (#answered): the gateway counts from receipt, which came before the answer,
    // so no margin is needed. A host that does not report answers gets the window plus the travel margin.
    const answering = this.#answering.has(req.host);
    const decision = reserveIdentify(
      req.shard,
      now,
      this.state.globals,
      this.state.buckets,
      answering ? this.config.identifyWindowMs : this.config.identifySpacingMs,
    );
    this.dirty.globals = true;
    if (decision.kind === 'wait')
      return this.#send(req.host, {
        v,
        type: 'identify-wait',
        id: req.id,
        shard: req.shard,
        retryAfterMs: decision.retryAfterMs,
        reason: decision.reason,
      });
    this.#send(req.host, { v, type: 'identify-grant', id: req.id, shard: req.shard, waitMs: decision.waitMs });
    if (answering)
      this.#identifyQueue.granted(
        this.#bucketOf(req.shard),
        req.host,
        req.shard,
        now + decision.waitMs + this.config.identifyAnswerTimeoutMs,
      );
  }

  /** The host reports that its shard's identify was answered: the bucket's next one may go `afterMs` from now. */
  #answered(hostId: string, shard: number, now: number, afterMs: number): void {
    const bucket = this.#bucketOf(shard);
    if (this.#identifyQueue.answered(bucket, hostId, shard)) this.#freeBucket(bucket, now, afterMs);
  }

  #freeBucket(bucket: number, now: number, afterMs: number): void {
    this.state.buckets.set(bucket, Math.max(this.state.buckets.get(bucket) ?? 0, now + afterMs));
    this.dirty.globals = true;
    this.#serveBucket(bucket, now);
  }

  /** Grants queued requests in order until one must be answered first (hosts that report answers). */
  #serveBucket(bucket: number, now: number): void {
    for (let req = this.#identifyQueue.next(bucket); req; req = this.#identifyQueue.next(bucket)) {
      const host = this.state.hosts.get(req.host);
      if (!host?.connected) continue; // its waiters were rejected when its connection closed
      if (this.#mayIdentify(req)) this.#grant(req, now);
    }
  }

  #bye(hostId: string, now: number): void {
    this.#unassignAll(hostId, now, 'released');
    if (this.state.hosts.delete(hostId)) this.dirty.deletedHosts.add(hostId);
  }

  /**
   * Every host silent for a whole TTL means the silence is ours (the Worker or this object was unreachable,
   * or restarted), not every host's: no lease expires for it. Each host gets a fresh TTL from now, and only a
   * host that stays silent while others are heard loses its shards. So an outage of any length keeps every
   * shard where it is (the hosts kept their connections and spooled), and a crash of one host still moves
   * its shards after one TTL.
   */
  #outageGrace(now: number): void {
    const hosts = [...this.state.hosts.values()];
    const ttl = this.config.leaseTtlMs;
    if (hosts.length === 0 || hosts.some((h) => h.lastSeenAt > now - ttl)) return;
    // Hosts reconnect with backoff of at most RECONNECT_CAP_MS (shard-host/lease/link.ts): all of them are back
    // within that, and only then may one host's silence mean anything.
    const until = now + ttl + RECONNECT_CAP_MS;
    for (const h of hosts) {
      if (h.leaseExpiresAt >= until) continue;
      h.leaseExpiresAt = until;
      this.dirty.hosts.add(h.id);
    }
  }

  /** A host whose lease passed loses its shards; the next assignment bumps their epoch. */
  #expire(now: number): void {
    for (const host of this.state.hosts.values()) {
      if (host.leaseExpiresAt > now) continue;
      this.#unassignAll(host.id, now, 'orphaned');
    }
  }

  /** The host's shards of every generation lose their owner (retired ones are forgotten: they are closing). */
  #unassignAll(hostId: string, now: number, state: string): void {
    for (const row of this.#allRows()) {
      if (row.owner !== hostId) continue;
      if (this.#isRetired(row)) this.#dropRetired(row);
      else this.#setLease(row, UNASSIGNED, now, { state });
    }
  }

  #owned(hostId: string): number {
    let n = 0;
    for (const row of this.state.shards.values()) if (row.owner === hostId) n++;
    return n;
  }

  #sendAssign(row: ShardRow): void {
    const s = row.session;
    const session =
      s && this.#resumePoints ? { ...s, seq: this.#resumePoints.settledThrough(row.shard, s.sessionId, s.seq) } : s;
    this.#send(row.owner!, {
      v,
      type: 'assign',
      shard: row.shard,
      epoch: row.epoch,
      shardCount: row.count,
      session,
    });
  }

  #assign(row: ShardRow, hostId: string, now: number): void {
    let epoch = row.epoch + 1;
    const r = this.state.reshard;
    if (isActive(r)) {
      // One (shard, epoch) names one row of one generation (reshard.ts, "Epochs"). The floor is data of the
      // active reshard, not its phase: raising it is no transition.
      epoch = Math.max(epoch, r.epochFloor + 1);
      r.epochFloor = epoch;
      this.dirty.reshard = true;
    }
    this.#setLease(row, assignedTo(hostId), now, { epoch, state: 'assigned' });
    row.guildsBase = row.guilds;
    this.#sendAssign(row);
  }

  /** Free shards go to the live host with most room; then surplus moves, by handoff, to hosts below target. */
  #plan(now: number): void {
    const count = this.state.globals.shardCount;
    if (count === null) return;
    const live = [...this.state.hosts.values()]
      .filter((h) => this.isLive(h, now) && !this.#draining.has(h.id))
      .sort((a, b) => (a.id < b.id ? -1 : 1));
    if (live.length === 0) return;
    const target = targets(live, count);
    const owned = new Map<string, number>();
    for (const row of this.state.shards.values()) if (row.owner) owned.set(row.owner, (owned.get(row.owner) ?? 0) + 1);

    let blocked: number | null = null;
    for (const row of [...this.state.shards.values()].sort((a, b) => a.shard - b.shard)) {
      if (row.owner !== null) continue;
      const to = pickHost(
        live.filter((h) => mayRun(h, row.shard) && !this.#holdsOther(h.id, row)),
        owned,
        target,
      );
      if (to === null) {
        if (
          pickHost(
            live.filter((h) => mayRun(h, row.shard)),
            owned,
            target,
          ) !== null
        )
          blocked = row.shard;
        continue;
      }
      this.#assign(row, to, now);
      owned.set(to, (owned.get(to) ?? 0) + 1);
    }

    const reshard = this.state.reshard;
    if (reshard.kind === 'identifying' && blocked !== null) {
      // A serving shard has no host because the new generation holds its id there (a host was lost
      // mid-reshard): the serving generation comes first. The hosts release the new shards on the revoke.
      this.#rollBack(
        `shard ${blocked} of the serving generation lost its host and only a host running the new generation's shard ${blocked} can take it`,
        now,
      );
      return this.#plan(now);
    }
    if (reshard.kind === 'identifying') return this.#placeNext(reshard, live, now);
    // No rebalancing while the old generation closes: its rows are gone in a moment.
    if (reshard.kind === 'switching') return;

    const rows = [...this.state.shards.values()];
    let inFlight = rows.filter((r) => r.phase === 'handoff').length;
    const incoming = new Map<string, number>();
    const outgoing = new Map<string, number>();
    for (const r of rows) {
      if (r.phase !== 'handoff' || !r.owner || !r.handoffTo) continue;
      incoming.set(r.handoffTo, (incoming.get(r.handoffTo) ?? 0) + 1);
      outgoing.set(r.owner, (outgoing.get(r.owner) ?? 0) + 1);
    }
    const surplus = (id: string) => (owned.get(id) ?? 0) - (outgoing.get(id) ?? 0) - (target.get(id) ?? 0);
    const room = (id: string) => (target.get(id) ?? 0) - (owned.get(id) ?? 0) - (incoming.get(id) ?? 0);
    for (const from of [...live].sort((a, b) => surplus(b.id) - surplus(a.id))) {
      while (surplus(from.id) > 0 && inFlight < this.config.maxHandoffs) {
        // Only a ready shard with a session moves (the new owner resumes it, so no identify is spent), and
        // only to a host that may run it (EDGESHARD_SHARDS).
        const movable = rows
          .filter((r) => r.owner === from.id && r.phase === 'assigned' && r.state === 'ready' && r.session !== null)
          .sort((a, b) => b.shard - a.shard);
        let row: ShardRow | undefined;
        let to: HostRow | undefined;
        for (const r of movable) {
          to = live
            .filter((h) => room(h.id) > 0 && mayRun(h, r.shard))
            .sort((a, b) => room(b.id) - room(a.id) || (a.id < b.id ? -1 : 1))[0];
          if (to) {
            row = r;
            break;
          }
        }
        if (!to || !row) break;
        this.#setLease(row, handingOff(from.id, to.id, now + this.config.leaseTtlMs), now);
        this.#send(from.id, { v, type: 'revoke', shard: row.shard, epoch: row.epoch, reason: 'rebalance' });
        inFlight++;
        incoming.set(to.id, (incoming.get(to.id) ?? 0) + 1);
        outgoing.set(from.id, (outgoing.get(from.id) ?? 0) + 1);
      }
    }
  }

  /** The row of any generation holding (shard, epoch). */
  #rowAt(shard: number, epoch: number): ShardRow | undefined {
    const r = this.state.reshard;
    const candidates = [
      this.state.shards.get(shard),
      r.kind === 'identifying' ? r.rows.get(shard) : undefined,
      r.kind === 'switching' ? r.retired.get(shard) : undefined,
    ];
    return candidates.find((row) => row !== undefined && row.epoch === epoch);
  }

  #isRetired(row: ShardRow): boolean {
    const r = this.state.reshard;
    return r.kind === 'switching' && r.retired.get(row.shard) === row;
  }

  #dropRetired(row: ShardRow): void {
    const r = this.state.reshard;
    if (r.kind === 'switching' && r.retired.get(row.shard) === row) r.retired.delete(row.shard);
    this.dirty.reshard = true;
  }

  /** Rows that may be assigned: the current generation and the one being identified. */
  #liveRows(): ShardRow[] {
    const r = this.state.reshard;
    return [...this.state.shards.values(), ...(r.kind === 'identifying' ? r.rows.values() : [])];
  }

  #allRows(): ShardRow[] {
    const r = this.state.reshard;
    return [...this.#liveRows(), ...(r.kind === 'switching' ? r.retired.values() : [])];
  }

  /** Hosts key their shards by id: a host runs one generation of an id at a time. */
  #holdsOther(hostId: string, row: ShardRow): boolean {
    return this.#allRows().some(
      (x) => x !== row && x.shard === row.shard && (x.owner === hostId || x.handoffTo === hostId),
    );
  }

  /** The one place the reshard state changes; logged `from → to (reason)`. */
  #setReshard(next: Reshard, reason: string, now: number): void {
    const prev = this.state.reshard;
    this.state.reshard = next;
    this.dirty.reshard = true;
    const span = next.kind === 'idle' ? {} : { from: next.from, to: next.to };
    this.#o.log?.(`reshard ${prev.kind} → ${next.kind} (${reason})`, { ...span, at: now });
  }

  #span(r: Exclude<Reshard, { kind: 'idle' }>): { from: number; to: number; startedAt: number; reason: string } {
    return { from: r.from, to: r.to, startedAt: r.startedAt, reason: r.reason };
  }

  #refusal(to: number, now: number): string | null {
    const g = this.state.globals;
    const live = [...this.state.hosts.values()].filter((h) => this.isLive(h, now) && !this.#draining.has(h.id));
    const expired = g.sessionStartResetAt !== null && now >= g.sessionStartResetAt && g.sessionStartTotal !== null;
    const refused = refuseStart({
      reshard: this.state.reshard,
      current: g.shardCount,
      to,
      sessionStartRemaining: expired ? g.sessionStartTotal : g.sessionStartRemaining,
      sessionStartResetAt: expired ? null : g.sessionStartResetAt,
      capacity: live.reduce((n, h) => n + h.capacity, 0),
      now,
    });
    if (refused) return refused;
    if (live.length < 2 && Math.min(to, g.shardCount ?? 0) > 0)
      return 'a host runs one generation of a shard id at a time, so the new generation needs a second live host: start one more shard host for the reshard';
    return null;
  }

  #start(to: number, reason: string, now: number): void {
    const from = this.state.globals.shardCount!;
    let epochFloor = 0;
    for (const row of this.state.shards.values()) epochFloor = Math.max(epochFloor, row.epoch);
    const rows = new Map<number, ShardRow>();
    for (let i = 0; i < to; i++) rows.set(i, newShardRow(i, now, to));
    const floorMs = identifyFloorMs(to, this.state.globals.maxConcurrency, this.config.identifySpacingMs);
    this.#setReshard(
      {
        kind: 'identifying',
        from,
        to,
        startedAt: now,
        reason,
        deadline: now + 2 * floorMs + RESHARD_GRACE_MS,
        epochFloor,
        rows,
      },
      reason,
      now,
    );
  }

  /** New-generation rows go to live hosts by capacity; the switch comes when all are READY with their guilds. */
  #placeNext(r: Extract<Reshard, { kind: 'identifying' }>, live: HostRow[], now: number): void {
    const target = targets(live, r.to);
    const owned = new Map<string, number>();
    for (const row of r.rows.values()) if (row.owner) owned.set(row.owner, (owned.get(row.owner) ?? 0) + 1);
    for (const row of [...r.rows.values()].sort((a, b) => a.shard - b.shard)) {
      if (row.owner !== null) continue;
      const to = pickHost(
        live.filter((h) => mayRun(h, row.shard) && !this.#holdsOther(h.id, row)),
        owned,
        target,
      );
      if (to === null) continue;
      this.#assign(row, to, now);
      owned.set(to, (owned.get(to) ?? 0) + 1);
    }
    if (readyToSwitch(r.rows)) this.#switch(r, now);
  }

  /** The switch point: the new generation becomes the table's; the old one is closed for good (1000). */
  #switch(r: Extract<Reshard, { kind: 'identifying' }>, now: number): void {
    const retired = this.state.shards;
    const retiredEpochs = [...retired.values()].map((x) => ({ shard: x.shard, epoch: x.epoch }));
    for (const row of [...retired.values()]) {
      if (row.owner)
        this.#send(row.owner, { v, type: 'revoke', shard: row.shard, epoch: row.epoch, reason: 'retired' });
      else retired.delete(row.shard);
    }
    for (const id of retiredEpochs.map((x) => x.shard)) if (!r.rows.has(id)) this.dirty.deletedShards.add(id);
    this.state.shards = r.rows;
    for (const id of r.rows.keys()) this.dirty.shards.add(id);
    this.state.globals.shardCount = r.to;
    this.dirty.globals = true;
    this.#setReshard(
      {
        ...this.#span(r),
        kind: 'switching',
        switchedAt: now,
        windowEndsAt: now + SWITCH_WINDOW_MS,
        epochFloor: r.epochFloor,
        retired,
        retiredEpochs,
      },
      `every one of the ${r.to} new shards is READY with its guilds: they serve now, the ${r.from} old ones close`,
      now,
    );
  }

  #rollBack(why: string, now: number): void {
    const r = this.state.reshard;
    if (r.kind !== 'identifying') return;
    for (const row of r.rows.values())
      if (row.owner)
        this.#send(row.owner, { v, type: 'revoke', shard: row.shard, epoch: row.epoch, reason: 'retired' });
    const retiredEpochs = [...r.rows.values()].map((x) => ({ shard: x.shard, epoch: x.epoch }));
    this.#setReshard({ ...this.#span(r), kind: 'rolled-back', endedAt: now, why, retiredEpochs }, why, now);
  }

  /**
   * switching → done once the window is over AND every retired shard has released: it delivers its whole
   * spool first, and its batches are admitted until then (a host that dies holding one loses it at lease
   * expiry, which ends the wait).
   */
  #endWindow(now: number): void {
    const r = this.state.reshard;
    if (r.kind !== 'switching' || r.windowEndsAt > now || r.retired.size > 0) return;
    this.#setReshard(
      { ...this.#span(r), kind: 'done', switchedAt: r.switchedAt, endedAt: now, retiredEpochs: r.retiredEpochs },
      'switch window over and every old shard released: the old generation is gone',
      now,
    );
  }

  /** EDGESHARD_RESHARD_AT: the guild count reached its share of shards × 2500. */
  #autoReshard(now: number): void {
    const at = this.#reshardAt;
    const count = this.state.globals.shardCount;
    if (at === null || count === null || isActive(this.state.reshard) || now < this.#autoQuietUntil) return;
    let guilds = 0;
    for (const row of this.state.shards.values()) guilds += row.guilds;
    const why = guildTrigger(guilds, count, at);
    if (why) this.#autoStart(why, guilds, now);
  }

  /** A shard closed with 4011 (a shard would hold too many guilds): reshard whatever the threshold says. */
  shardingRequired(shard: number, now: number): Outgoing[] {
    return this.#run(now, () => this.#shardingRequired(shard, now));
  }

  #shardingRequired(shard: number, now: number): void {
    if (this.#reshardAt === null || isActive(this.state.reshard) || now < this.#autoQuietUntil) return;
    let guilds = 0;
    for (const row of this.state.shards.values()) guilds += row.guilds;
    this.#autoStart(`shard ${shard} was closed with 4011 (sharding required)`, guilds, now);
  }

  #autoStart(why: string, guilds: number, now: number): void {
    const count = this.state.globals.shardCount!;
    const to = autoCount(guilds, count, this.state.globals.maxConcurrency, this.#reshardAt ?? 0.8, this.#recommended);
    const refusal = this.#refusal(to, now);
    if (refusal) {
      this.#autoQuietUntil = now + AUTO_RETRY_MS;
      this.#o.log?.(`automatic reshard ${count} → ${to} not started: ${refusal}`, { why, retryInMs: AUTO_RETRY_MS });
      return;
    }
    this.#o.log?.(`automatic reshard ${count} → ${to}: ${why}`, { guilds });
    this.#start(to, `automatic: ${why}`, now);
  }
}
