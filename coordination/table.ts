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

/** Hosts expired this long (in TTLs) and not connected are forgotten. */
const FORGET_AFTER_TTLS = 10;

export class LeaseTable {
  readonly state: TableState;
  readonly config: CoordinatorConfig;
  readonly dirty = {
    hosts: new Set<string>(),
    deletedHosts: new Set<string>(),
    shards: new Set<number>(),
    globals: false,
  };
  #out: Outgoing[] = [];
  readonly #identifyQueue = new IdentifyQueue();
  /** Hosts whose hello said they report identify answers (in memory: every reconnect says it again). */
  readonly #answering = new Set<string>();
  /** Hosts shutting down: they release their shards and get no new ones (in memory: a reconnect says hello). */
  readonly #draining = new Set<string>();

  readonly #resumePoints: ResumePoints | null;

  constructor(state: TableState, config: CoordinatorConfig, resumePoints: ResumePoints | null = null) {
    this.state = state;
    this.config = config;
    this.#resumePoints = resumePoints;
  }

  /** Runs one operation: expire what is due, apply it, plan, and return what to send. */
  #run(now: number, op: () => void): Outgoing[] {
    this.#out = [];
    this.#outageGrace(now);
    this.#expire(now);
    for (const bucket of this.#identifyQueue.expire(now)) this.#serveBucket(bucket, now);
    op();
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
    const answer = this.#identifyQueue.nextDeadline();
    if (answer !== null) next = Math.min(next, answer);
    return next === Infinity ? null : next;
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
    this.dirty.shards.add(row.shard);
  }

  /** What the owner reports; never the lease. */
  #setReport(row: ShardRow, report: Partial<ShardReportFields>, now: number): void {
    Object.assign(row, report, { updatedAt: now });
    this.dirty.shards.add(row.shard);
  }

  #hello(hostId: string, msg: Msg<'hello'>, now: number): void {
    const g = this.state.globals;
    if (g.shardCount !== null && g.shardCount !== msg.shardCount) {
      return this.#send(
        hostId,
        {
          v,
          type: 'error',
          code: 'shard_count_mismatch',
          message: `this host uses ${msg.shardCount} shards but the coordinator's table has ${g.shardCount}: set the same EDGESHARD_SHARD_COUNT on every host`,
        },
        true,
      );
    }
    if (g.shardCount === null) {
      g.shardCount = msg.shardCount;
      for (let i = 0; i < msg.shardCount; i++) {
        this.state.shards.set(i, newShardRow(i, now));
        this.dirty.shards.add(i);
      }
    }
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
      shardCount: msg.shardCount,
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
  }

  /** Takes the host's word for shards it owns at the current epoch; anything else it runs is stale. */
  #reconcile(hostId: string, reports: readonly ShardReport[], now: number): void {
    const reported = new Set<number>();
    for (const r of reports) {
      reported.add(r.shard);
      const row = this.state.shards.get(r.shard);
      if (!row || row.owner !== hostId || row.epoch !== r.epoch) {
        this.#send(hostId, { v, type: 'revoke', shard: r.shard, epoch: r.epoch, reason: 'stale' });
        continue;
      }
      this.#setReport(
        row,
        {
          state: r.state,
          session: r.session ?? row.session,
          latencyMs: r.latencyMs,
          guilds: r.guilds ?? row.guilds,
          lastEventAt: r.lastEventAgeMs === null ? row.lastEventAt : now - r.lastEventAgeMs,
        },
        now,
      );
    }
    for (const row of this.state.shards.values()) {
      // Ours but not reported: the assignment was lost with a dropped connection. Send it again.
      if (row.owner === hostId && row.phase === 'assigned' && !reported.has(row.shard)) this.#sendAssign(row);
    }
  }

  #released(hostId: string, msg: Msg<'released'>, now: number): void {
    const row = this.state.shards.get(msg.shard);
    if (!row || row.owner !== hostId || row.epoch !== msg.epoch) return;
    const preferred = row.handoffTo;
    this.#setLease(row, UNASSIGNED, now, { state: 'released', session: msg.session ?? row.session });
    const to = preferred === null ? undefined : this.state.hosts.get(preferred);
    if (to && this.isLive(to, now) && this.#owned(to.id) < to.capacity) this.#assign(row, to.id, now);
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
    const row = this.state.shards.get(req.shard);
    if (row && row.owner === req.host && row.epoch === req.epoch) return true;
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
    const decision = reserveIdentify(
      req.shard,
      now,
      this.state.globals,
      this.state.buckets,
      this.config.identifySpacingMs,
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
    if (this.#answering.has(req.host))
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
    for (const row of this.state.shards.values()) {
      if (row.owner === hostId) this.#setLease(row, UNASSIGNED, now, { state: 'released' });
    }
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
      for (const row of this.state.shards.values()) {
        if (row.owner === host.id) this.#setLease(row, UNASSIGNED, now, { state: 'orphaned' });
      }
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
      shardCount: this.state.globals.shardCount ?? 0,
      session,
    });
  }

  #assign(row: ShardRow, hostId: string, now: number): void {
    this.#setLease(row, assignedTo(hostId), now, { epoch: row.epoch + 1, state: 'assigned' });
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

    for (const row of [...this.state.shards.values()].sort((a, b) => a.shard - b.shard)) {
      if (row.owner !== null) continue;
      const to = pickHost(
        live.filter((h) => mayRun(h, row.shard)),
        owned,
        target,
      );
      if (to === null) continue;
      this.#assign(row, to, now);
      owned.set(to, (owned.get(to) ?? 0) + 1);
    }

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
}
