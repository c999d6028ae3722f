// The lease client: the host's side of the ShardCoordinator. It announces the host, renews its lease every
// renewEveryMs with each shard's state and Worker-acknowledged sequence, starts and stops shards as the
// coordinator assigns and revokes them, and fences: when no renewal has been confirmed for
// leaseTtlMs − margin (measured from when that renewal was SENT, on this host's clock), it stops every shard
// before the coordinator could consider the lease expired and hand the shards to another host.
// Sans-IO except for the injected link, runner and clock, so tests drive it with fakes.
import {
  LEASE_PROTOCOL_VERSION as v,
  type CoordinatorMessage,
  type GatewayCommand,
  type GatewayLimits,
  type SessionInfo,
  type ShardReport,
} from '../../protocol/index.ts';
import { backoff } from '../gateway/backoff.ts';
import { sleep, systemClock, type Clock, type Timer } from '../gateway/clock.ts';
import type { Logger } from '../log.ts';
import type { LeaseConnect, LeaseLink } from './transport.ts';

/** What the client needs from the host to run shards. The pool (pool.ts) implements it. */
export interface ShardRunner {
  start(shard: number, session: SessionInfo | null): void;
  /** Stops resumably (not 1000/1001), lets acknowledgements settle, returns the final session. */
  stop(shard: number, reason: string): Promise<SessionInfo | null>;
  report(shard: number): Omit<ShardReport, 'shard' | 'epoch'>;
  command(shard: number, payload: GatewayCommand): Promise<void>;
}

export interface LeaseClientOptions {
  hostId: string;
  capacity: number;
  shardCount: number;
  gateway: GatewayLimits;
  connect: LeaseConnect;
  runner: ShardRunner;
  logger: Logger;
  clock?: Clock;
  random?: () => number;
  /** Until the welcome says otherwise. */
  leaseTtlMs?: number;
}

/** An identify request the coordinator refused for now; carries retryAfterMs for the shard (retryAfterOf). */
export class IdentifyDeferred extends Error {
  readonly retryAfterMs: number;
  constructor(message: string, retryAfterMs: number) {
    super(message);
    this.name = 'IdentifyDeferred';
    this.retryAfterMs = retryAfterMs;
  }
}

interface Held {
  epoch: number;
  stopping: boolean;
}

interface IdentifyWaiter {
  shard: number;
  resolve(waitMs: number): void;
  reject(err: unknown): void;
}

/** A queued identify request is sent again this often, in case the coordinator lost its queue (restart). */
export const IDENTIFY_REASK_MS = 20_000;

/** Stop shards this long before the earliest moment the coordinator could expire the lease. */
export function fenceMarginMs(ttlMs: number): number {
  return Math.max(500, Math.floor(ttlMs / 5));
}

export class LeaseClient {
  readonly #o: LeaseClientOptions;
  readonly #clock: Clock;
  readonly #random: () => number;
  readonly #log: Logger;
  readonly #held = new Map<number, Held>();
  readonly #renewals = new Map<number, number>();
  readonly #identify = new Map<number, IdentifyWaiter>();
  /** Shards whose identify was granted and not answered yet (READY, op 9, connection ended). */
  readonly #unanswered = new Set<number>();
  /** The coordinator's welcome said it waits for answers (protocol/lease.ts, `answered`). */
  #answers = false;
  #link: LeaseLink | null = null;
  #open = false;
  #ttl: number;
  #renewEvery: number;
  #deadline = -Infinity;
  #lastConfirmedAt = -Infinity;
  #nextId = 1;
  #attempt = 0;
  #renewTimer: Timer | null = null;
  #fenceTimer: Timer | null = null;
  #reconnectTimer: Timer | null = null;
  #closing = false;
  readonly stats = { connects: 0, fenced: 0, assigned: 0, released: 0 };

  constructor(options: LeaseClientOptions) {
    this.#o = options;
    this.#clock = options.clock ?? systemClock;
    this.#random = options.random ?? Math.random;
    this.#log = options.logger.child({ component: 'lease' });
    this.#ttl = options.leaseTtlMs ?? 15_000;
    this.#renewEvery = Math.floor(this.#ttl / 3);
  }

  start(): void {
    this.#connect();
  }

  /** The epoch this host holds the shard at (0 when it does not): stamped on every event batch. */
  epoch(shard: number): number {
    return this.#held.get(shard)?.epoch ?? 0;
  }

  held(): number[] {
    return [...this.#held.keys()].sort((a, b) => a - b);
  }

  get connected(): boolean {
    return this.#open;
  }

  /** Asks the coordinator for an identify slot; resolves when the slot comes (the wait is done here). */
  async acquireIdentify(shard: number, signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    const held = this.#held.get(shard);
    if (!held) throw new IdentifyDeferred(`shard ${shard} is not leased to this host`, this.#renewEvery);
    const id = this.#nextId++;
    let reask: Timer | null = null;
    const waitMs = await new Promise<number>((resolve, reject) => {
      const done = () => {
        reask?.cancel();
        signal?.removeEventListener('abort', onAbort);
      };
      const onAbort = () => {
        done();
        this.#identify.delete(id);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#identify.set(id, {
        shard,
        resolve: (ms) => (done(), resolve(ms)),
        reject: (err) => (done(), reject(err)),
      });
      // The coordinator queues the request while the bucket's previous identify awaits its answer; the same
      // id asked again keeps its place there, and is served anew if the coordinator restarted meanwhile.
      const ask = (): boolean => this.#send({ v, type: 'identify', id, shard, epoch: held.epoch });
      const again = () => {
        reask = this.#clock.setTimeout(() => (this.#identify.has(id) && ask(), again()), IDENTIFY_REASK_MS);
      };
      if (!ask()) {
        done();
        this.#identify.delete(id);
        return reject(new IdentifyDeferred('the coordinator is not connected; asking again shortly', 1_000));
      }
      again();
    });
    this.#unanswered.add(shard);
    await sleep(this.#clock, waitMs, signal);
  }

  /** The shard's granted identify was answered (READY, op 9) or its connection ended: tell the coordinator,
   *  which starts the bucket's next window from this moment instead of from the grant. */
  identifyAnswered(shard: number): void {
    if (!this.#unanswered.delete(shard) || !this.#answers) return;
    const held = this.#held.get(shard);
    if (held) this.#send({ v, type: 'answered', shard, epoch: held.epoch });
  }

  /** Stops every shard resumably, reports each final session, says goodbye. */
  async shutdown(): Promise<void> {
    this.#closing = true;
    this.#renewTimer?.cancel();
    this.#reconnectTimer?.cancel();
    await Promise.all(this.held().map((shard) => this.#release(shard, 'host shutting down')));
    this.#send({ v, type: 'bye' });
    this.#fenceTimer?.cancel();
    this.#link?.close(1000, 'host shutting down');
  }

  #send(msg: Parameters<LeaseLink['send']>[0]): boolean {
    return this.#open && this.#link !== null && this.#link.send(msg);
  }

  #connect(): void {
    if (this.#closing) return;
    this.#open = false;
    const link = this.#o.connect({
      open: () => {
        if (this.#link !== link) return;
        this.#open = true;
        this.#attempt = 0;
        this.stats.connects++;
        const id = this.#nextId++;
        this.#renewals.set(id, this.#clock.now());
        const { hostId, capacity, shardCount, gateway } = this.#o;
        this.#log.info('lease connection open', { host: hostId, capacity, holding: this.held() });
        link.send({ v, type: 'hello', id, capacity, shardCount, gateway, shards: this.#reports(), answers: true });
      },
      message: (msg) => this.#link === link && this.#handle(msg),
      close: (code, reason) => {
        if (this.#link !== link) return;
        this.#link = null;
        this.#open = false;
        this.#renewTimer?.cancel();
        for (const [id, w] of this.#identify) {
          this.#identify.delete(id);
          w.reject(new IdentifyDeferred('the coordinator connection closed; asking again shortly', 1_000));
        }
        if (this.#closing) return;
        // Jittered, so hosts dropped together by a deploy do not reconnect together. The first retry comes
        // well within the fence margin, so a deploy costs no shard.
        const delay =
          this.#attempt === 0
            ? Math.floor(this.#random() * Math.min(1_000, fenceMarginMs(this.#ttl) / 2))
            : backoff(this.#attempt, { baseMs: 500, maxMs: 10_000, random: this.#random });
        this.#attempt++;
        this.#log.warn('lease connection closed; reconnecting', { code, reason, delayMs: delay, holding: this.held() });
        this.#reconnectTimer = this.#clock.setTimeout(() => this.#connect(), delay);
      },
    });
    this.#link = link;
  }

  #handle(msg: CoordinatorMessage): void {
    switch (msg.type) {
      case 'welcome':
        this.#ttl = msg.leaseTtlMs;
        this.#renewEvery = msg.renewEveryMs;
        this.#answers = msg.answers === true;
        if (msg.shardCount !== this.#o.shardCount)
          this.#log.error('coordinator shard count differs from this host', {
            ours: this.#o.shardCount,
            coordinator: msg.shardCount,
          });
        return this.#scheduleRenew();
      case 'renewed':
        return this.#confirmed(msg.id);
      case 'assign':
        return void this.#assign(msg.shard, msg.epoch, msg.session);
      case 'revoke': {
        const held = this.#held.get(msg.shard);
        if (!held || held.epoch !== msg.epoch || held.stopping) return;
        this.#log.info('shard revoked', { shard: msg.shard, epoch: msg.epoch, reason: msg.reason });
        return void this.#release(msg.shard, msg.reason === 'rebalance' ? 'moving to another host' : 'stale epoch');
      }
      case 'identify-grant': {
        const w = this.#identify.get(msg.id);
        this.#identify.delete(msg.id);
        return w?.resolve(msg.waitMs);
      }
      case 'identify-wait': {
        const w = this.#identify.get(msg.id);
        this.#identify.delete(msg.id);
        return w?.reject(new IdentifyDeferred(`coordinator: ${msg.reason}`, msg.retryAfterMs));
      }
      case 'command': {
        const held = this.#held.get(msg.shard);
        if (!held || held.epoch !== msg.epoch || held.stopping)
          return this.#log.warn('gateway command for a shard this host does not run; dropped', {
            shard: msg.shard,
            op: msg.payload.op,
          });
        return void this.#o.runner.command(msg.shard, msg.payload).then(
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

  async #assign(shard: number, epoch: number, session: SessionInfo | null): Promise<void> {
    const held = this.#held.get(shard);
    if (held && held.epoch === epoch) return;
    if (held) await this.#release(shard, 'reassigned at a new epoch', false);
    this.#held.set(shard, { epoch, stopping: false });
    this.stats.assigned++;
    this.#log.info('shard assigned', { shard, epoch, resume: session !== null, seq: session?.seq });
    this.#o.runner.start(shard, session);
  }

  /** Stops the shard, then tells the coordinator its final session so the next owner resumes from it. */
  async #release(shard: number, reason: string, report = true): Promise<void> {
    const held = this.#held.get(shard);
    if (!held || held.stopping) return;
    held.stopping = true;
    const session = await this.#o.runner.stop(shard, reason);
    this.#held.delete(shard);
    this.#unanswered.delete(shard);
    this.stats.released++;
    if (report) this.#send({ v, type: 'released', shard, epoch: held.epoch, session, reason });
    this.#log.info('shard released', { shard, epoch: held.epoch, reason, seq: session?.seq });
  }

  #reports(): ShardReport[] {
    return this.held()
      .filter((s) => !this.#held.get(s)!.stopping)
      .map((shard) => ({ shard, epoch: this.#held.get(shard)!.epoch, ...this.#o.runner.report(shard) }));
  }

  #scheduleRenew(): void {
    this.#renewTimer?.cancel();
    this.#renewTimer = this.#clock.setTimeout(() => {
      this.#renewTimer = null;
      if (!this.#open) return;
      const now = this.#clock.now();
      // A link that stopped answering is dead even if TCP says otherwise: reconnect.
      if (
        now - this.#lastConfirmedAt > this.#ttl &&
        this.#renewals.size > 0 &&
        Math.min(...this.#renewals.values()) < now - this.#ttl
      ) {
        this.#log.warn('coordinator stopped answering renewals; reconnecting', {
          sinceMs: now - this.#lastConfirmedAt,
        });
        this.#renewals.clear();
        this.#link?.close(4408, 'renewals unanswered');
        return;
      }
      const id = this.#nextId++;
      this.#renewals.set(id, now);
      this.#send({ v, type: 'renew', id, shards: this.#reports() });
      this.#scheduleRenew();
    }, this.#renewEvery);
  }

  #confirmed(id: number): void {
    const sentAt = this.#renewals.get(id);
    if (sentAt === undefined) return;
    for (const [k, at] of this.#renewals) if (at <= sentAt) this.#renewals.delete(k);
    this.#lastConfirmedAt = this.#clock.now();
    // The coordinator's expiry is (its receipt time + TTL) ≥ (our send time + TTL): ours is the earlier bound.
    this.#deadline = Math.max(this.#deadline, sentAt + this.#ttl - fenceMarginMs(this.#ttl));
    this.#armFence();
  }

  #armFence(): void {
    this.#fenceTimer?.cancel();
    const ms = Math.max(0, this.#deadline - this.#clock.now());
    this.#fenceTimer = this.#clock.setTimeout(() => this.#fence(), ms);
  }

  #fence(): void {
    this.#fenceTimer = null;
    if (this.#clock.now() < this.#deadline) return this.#armFence();
    const shards = this.held();
    if (shards.length === 0) return;
    this.stats.fenced++;
    this.#log.warn(
      'lease not renewed in time: stopping every shard before the coordinator can hand them to another host',
      { shards, ttlMs: this.#ttl },
    );
    for (const shard of shards) void this.#release(shard, 'lease could expire (fenced)');
  }
}
