// The lease client: where this host's shards come from. It announces the host to the ShardCoordinator,
// renews its lease with each shard's state, starts and stops shards as the coordinator assigns and revokes
// them, asks for identify slots, and gates every new gateway connection on a confirmed lease. The link is
// injected (lease/transport.ts: a WebSocket to the DO; lease/in-process.ts: the same policy in this
// process), so the one policy in coordination/ decides for one host or fifty.
//
// Modules: link.ts (connection and reconnect), renewal.ts (renewals and the fence deadline),
// assignments.ts (held shards), identify.ts (identify slots). This file routes messages between them.
import {
  LEASE_PROTOCOL_VERSION as v,
  type CoordinatorMessage,
  type GatewayLimits,
  type HostLoad,
  type HostMessage,
} from '../../protocol/index.ts';
import { systemClock, type Clock, type Timer } from '../gateway/clock.ts';
import type { ConnectGate } from '../gateway/options.ts';
import type { Logger } from '../log.ts';
import { Assignments, type ShardRunner } from './assignments.ts';
import { IdentifyRequests } from './identify.ts';
import { CoordinatorLink } from './link.ts';
import { fenceMarginMs, LeaseRenewal } from './renewal.ts';
import type { LeaseConnect } from './transport.ts';

export { IdentifyDeferred, IDENTIFY_REASK_MS } from './identify.ts';
export { fenceMarginMs } from './renewal.ts';
export type { ShardRunner } from './assignments.ts';

export interface LeaseClientOptions {
  hostId: string;
  capacity: number;
  shardCount: number;
  /** EDGESHARD_SHARDS: the only shard ids this host may lease; undefined: any. */
  allowedShards?: number[] | undefined;
  gateway: GatewayLimits;
  connect: LeaseConnect;
  runner: ShardRunner;
  logger: Logger;
  /** The host's own figures for the status page, sent with every renewal. */
  load?: () => HostLoad;
  clock?: Clock;
  random?: () => number;
  /** Until the welcome says otherwise. */
  leaseTtlMs?: number;
}

/** What /healthz says about the lease. */
export interface LeaseStatus {
  connected: boolean;
  confirmed: boolean;
  held: number[];
  /** Why this host runs nothing, when it runs nothing. */
  waiting: string | null;
}

export class LeaseClient {
  readonly #o: LeaseClientOptions;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #link: CoordinatorLink;
  readonly #renewal: LeaseRenewal;
  readonly #shards: Assignments;
  readonly #identify: IdentifyRequests;
  #answers = false;
  #nextId = 1;
  #renewTimer: Timer | null = null;
  #fenceTimer: Timer | null = null;
  #closing = false;
  /** The last reason logged for holding no shard (logged once per change, not per renewal). */
  #idleReason: string | null = null;
  readonly stats = { connects: 0, fenced: 0, assigned: 0, released: 0 };

  /** Every new gateway connection of a leased shard waits here for a confirmed lease. */
  readonly connectGate: ConnectGate = {
    allowed: (shard) => this.#renewal.confirmed && this.#shards.running(shard) !== undefined,
    wait: async (shard, signal) => {
      for (;;) {
        await this.#renewal.waitConfirmed(signal);
        if (this.#shards.running(shard) !== undefined) return;
        signal.throwIfAborted();
        // Not held any more: the shard is being stopped, which aborts this wait.
        await new Promise<void>((r) => this.#clock.setTimeout(() => r(), 100));
      }
    },
  };

  constructor(options: LeaseClientOptions) {
    this.#o = options;
    this.#clock = options.clock ?? systemClock;
    this.#log = options.logger.child({ component: 'lease' });
    this.#renewal = new LeaseRenewal(this.#clock, options.leaseTtlMs ?? 15_000);
    this.#shards = new Assignments(options.runner, this.#log);
    this.#identify = new IdentifyRequests({
      clock: this.#clock,
      send: (m) => this.#link.send(m),
      epoch: (shard) => this.#shards.running(shard),
      notLeasedRetryMs: () => this.#renewal.renewEveryMs,
      answersWanted: () => this.#answers,
    });
    this.#link = new CoordinatorLink(
      options.connect,
      { open: () => this.#opened(), message: (m) => this.#handle(m), closed: () => this.#closed() },
      this.#clock,
      options.random ?? Math.random,
      this.#log,
    );
    this.#link.firstRetryMs = Math.min(1_000, fenceMarginMs(this.#renewal.ttlMs) / 2);
  }

  /** The identify slots of this host's shards (the coordinator's one queue). */
  get identifyGate(): IdentifyRequests {
    return this.#identify;
  }

  start(): void {
    this.#link.start();
  }

  /** The epoch this host holds the shard at (0 when it does not): stamped on every event batch. */
  epoch(shard: number): number {
    return this.#shards.epoch(shard);
  }

  held(): number[] {
    return this.#shards.ids();
  }

  get connected(): boolean {
    return this.#link.open;
  }

  status(): LeaseStatus {
    const held = this.held();
    const confirmed = this.#renewal.confirmed;
    let waiting: string | null = null;
    if (!this.#link.open) waiting = 'cannot reach the coordinator (EDGESHARD_WORKER_URL); retrying';
    else if (held.length === 0) {
      waiting = this.#o.allowedShards
        ? `no shard free for this host: every shard it may lease (EDGESHARD_SHARDS) is held by another host`
        : 'no shard free for this host: every shard is held by another host';
    }
    return { connected: this.#link.open, confirmed, held, waiting };
  }

  /** Stops every shard resumably, reports each final session, says goodbye. */
  async shutdown(): Promise<void> {
    this.#closing = true;
    this.#renewTimer?.cancel();
    // First: no new shards for this host, so a shard it releases goes to another host, not back to it.
    this.#link.send({ v, type: 'drain' });
    await Promise.all(this.held().map((shard) => this.#release(shard, 'host shutting down')));
    this.#link.send({ v, type: 'bye' });
    this.#fenceTimer?.cancel();
    this.#link.close(1000, 'host shutting down');
  }

  #send(msg: HostMessage): boolean {
    return this.#link.send(msg);
  }

  #opened(): void {
    this.stats.connects++;
    const id = this.#nextId++;
    this.#renewal.sent(id);
    const { hostId, capacity, shardCount, gateway, allowedShards } = this.#o;
    this.#log.info('lease connection open', { host: hostId, capacity, holding: this.held() });
    this.#send({
      v,
      type: 'hello',
      id,
      capacity,
      shardCount,
      gateway,
      shards: this.#shards.reports(),
      answers: true,
      ...(allowedShards ? { allowedShards } : {}),
      ...(this.#o.load ? { load: this.#o.load() } : {}),
    });
  }

  #closed(): void {
    this.#renewTimer?.cancel();
    this.#identify.rejectAll();
  }

  #handle(msg: CoordinatorMessage): void {
    switch (msg.type) {
      case 'welcome':
        this.#renewal.ttlMs = msg.leaseTtlMs;
        this.#renewal.renewEveryMs = msg.renewEveryMs;
        this.#link.firstRetryMs = Math.min(1_000, fenceMarginMs(msg.leaseTtlMs) / 2);
        this.#answers = msg.answers === true;
        if (msg.shardCount !== this.#o.shardCount)
          this.#log.error('coordinator shard count differs from this host', {
            ours: this.#o.shardCount,
            coordinator: msg.shardCount,
          });
        return this.#scheduleRenew();
      case 'renewed':
        this.#renewal.confirm(msg.id);
        return this.#armFence();
      case 'assign':
        if (this.#closing) return; // sent before our drain arrived; the coordinator reassigns at bye
        return void this.#shards.assign(msg.shard, msg.epoch, msg.session);
      case 'revoke': {
        if (this.#shards.running(msg.shard) !== msg.epoch) return;
        this.#log.info('shard revoked', { shard: msg.shard, epoch: msg.epoch, reason: msg.reason });
        return void this.#release(msg.shard, msg.reason === 'rebalance' ? 'moving to another host' : 'stale epoch');
      }
      case 'identify-grant':
        return this.#identify.granted(msg.id, msg.waitMs);
      case 'identify-wait':
        return this.#identify.deferred(msg.id, msg.reason, msg.retryAfterMs);
      case 'command': {
        const sent = this.#shards.command(msg.shard, msg.epoch, msg.payload);
        if (!sent)
          return this.#log.warn('gateway command for a shard this host does not run; dropped', {
            shard: msg.shard,
            op: msg.payload.op,
          });
        return void sent.then(
          () =>
            this.#log.info('gateway command sent', {
              host: this.#o.hostId,
              shard: msg.shard,
              epoch: msg.epoch,
              op: msg.payload.op,
            }),
          (err: unknown) =>
            this.#log.warn('gateway command failed', {
              shard: msg.shard,
              op: msg.payload.op,
              error: (err as Error).message,
            }),
        );
      }
      case 'error':
        return this.#log.error(`coordinator: ${msg.message}`, { code: msg.code });
    }
  }

  /** A connected host holding nothing says why, once (two hosts pinned to the same shards: the second waits). */
  #sayWhyIdle(): void {
    const { waiting, held } = this.status();
    const reason = held.length === 0 ? waiting : null;
    if (reason === this.#idleReason) return;
    this.#idleReason = reason;
    if (reason) this.#log.warn(`waiting: ${reason}`, { allowed: this.#o.allowedShards ?? 'any' });
  }

  /** Stops the shard, then tells the coordinator its final session so the next owner resumes from it. */
  async #release(shard: number, reason: string): Promise<void> {
    const out = await this.#shards.release(shard, reason);
    this.#identify.forget(shard);
    if (!out) return;
    this.stats.released++;
    this.#send({ v, type: 'released', shard, epoch: out.epoch, session: out.session, reason });
  }

  #scheduleRenew(): void {
    this.#renewTimer?.cancel();
    this.#renewTimer = this.#clock.setTimeout(() => {
      this.#renewTimer = null;
      if (!this.#link.open) return;
      if (this.#renewal.stale()) {
        this.#log.warn('coordinator stopped answering renewals; reconnecting', { ttlMs: this.#renewal.ttlMs });
        this.#renewal.forgetSent();
        return this.#link.restart(4408, 'renewals unanswered');
      }
      this.#sayWhyIdle(); // a renewal period after the hello: assignments have arrived by now
      const id = this.#nextId++;
      this.#renewal.sent(id);
      this.#send({
        v,
        type: 'renew',
        id,
        shards: this.#shards.reports(),
        ...(this.#o.load ? { load: this.#o.load() } : {}),
      });
      this.#scheduleRenew();
    }, this.#renewal.renewEveryMs);
  }

  /** Logs the moment the lease becomes unconfirmed: shards keep their connections, new ones wait. */
  #armFence(): void {
    this.#fenceTimer?.cancel();
    this.#fenceTimer = this.#clock.setTimeout(
      () => {
        this.#fenceTimer = null;
        if (this.#renewal.confirmed) return this.#armFence();
        const shards = this.held();
        if (shards.length === 0 || this.#closing) return;
        this.stats.fenced++;
        this.#log.warn(
          'lease unconfirmed: keeping the connections this host has and spooling their events; no new connection until the coordinator answers again',
          { shards, ttlMs: this.#renewal.ttlMs },
        );
      },
      Math.max(0, this.#renewal.remainingMs),
    );
  }
}
