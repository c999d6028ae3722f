// The coordinator's policy in this process: the same sans-IO LeaseTable the ShardCoordinator DO runs
// (coordination/), behind the same LeaseConnect seam as the WebSocket link. For unit tests, contract suites
// and benchmarks: a deployed host always reaches the real coordinator (there is no unleased mode).
// Messages are delivered asynchronously (a microtask), as over a socket; the alarm is a clock timer.
import type { CoordinatorMessage, HostMessage } from '../../protocol/index.ts';
import { coordinatorPolicy, DEFAULT_IDENTIFY_WINDOW_MS } from '../../coordination/config.ts';
import { emptyState, type CoordinatorConfig } from '../../coordination/model.ts';
import { LeaseTable, type Outgoing } from '../../coordination/table.ts';
import { systemClock, type Clock, type Timer } from '../gateway/clock.ts';
import type { IdentifyGate } from '../gateway/identify-gate.ts';
import { createLogger, type Logger } from '../log.ts';
import { LeaseClient } from './client.ts';
import type { LeaseConnect, LeaseLinkEvents } from './transport.ts';

interface Peer {
  events: LeaseLinkEvents;
  open: boolean;
}

export class InProcessCoordinator {
  readonly table: LeaseTable;
  readonly #clock: Clock;
  readonly #peers = new Map<string, Peer>();
  #alarm: Timer | null = null;
  /** Every message each way, for tests. */
  readonly log: { host: string; dir: 'in' | 'out'; message: HostMessage | CoordinatorMessage }[] = [];

  constructor(options: { config?: CoordinatorConfig; clock?: Clock } = {}) {
    this.#clock = options.clock ?? systemClock;
    this.table = new LeaseTable(emptyState(), options.config ?? coordinatorPolicy());
  }

  /** The LeaseConnect of one host. */
  connect(hostId: string): LeaseConnect {
    return (events) => {
      const old = this.#peers.get(hostId);
      const peer: Peer = { events, open: false };
      this.#peers.set(hostId, peer);
      if (old?.open) {
        old.open = false;
        queueMicrotask(() => old.events.close(4001, 'replaced by a newer connection of the same host'));
      }
      queueMicrotask(() => {
        if (this.#peers.get(hostId) !== peer) return;
        peer.open = true;
        events.open();
      });
      return {
        send: (msg) => {
          if (!peer.open) return false;
          this.log.push({ host: hostId, dir: 'in', message: msg });
          queueMicrotask(() => this.#apply(this.table.handle(hostId, msg, this.#clock.now())));
          return true;
        },
        close: (code = 1000, reason = 'closing') => this.#drop(hostId, peer, code, reason),
      };
    };
  }

  /** Cuts a host off as a crash or a partition would: its link closes, the table hears the disconnect. */
  partition(hostId: string): void {
    const peer = this.#peers.get(hostId);
    if (peer) this.#drop(hostId, peer, 1006, 'partitioned');
  }

  close(): void {
    this.#alarm?.cancel();
    for (const [host, peer] of this.#peers) this.#drop(host, peer, 1001, 'coordinator closing');
  }

  #drop(hostId: string, peer: Peer, code: number, reason: string): void {
    if (!peer.open) return;
    peer.open = false;
    // After what the host sent before closing (as on a socket: messages in flight arrive first).
    queueMicrotask(() => {
      if (this.#peers.get(hostId) === peer) {
        this.#peers.delete(hostId);
        this.#apply(this.table.disconnected(hostId, this.#clock.now()));
      }
      peer.events.close(code, reason);
    });
  }

  #apply(out: Outgoing[]): void {
    for (const o of out) {
      const peer = this.#peers.get(o.host);
      if (!peer?.open) continue;
      this.log.push({ host: o.host, dir: 'out', message: o.message });
      peer.events.message(o.message);
      if (o.close) this.#drop(o.host, peer, 4400, o.message.type === 'error' ? o.message.code : 'closing');
    }
    this.#arm();
  }

  #arm(): void {
    this.#alarm?.cancel();
    const now = this.#clock.now();
    const next = this.table.nextDeadline(now);
    this.#alarm =
      next === null
        ? null
        : this.#clock.setTimeout(() => this.#apply(this.table.tick(this.#clock.now())), Math.max(0, next - now));
  }
}

export interface InProcessGateOptions {
  shardCount: number;
  maxConcurrency: number;
  /** The platform's identify window (Discord: 5000 ms). */
  windowMs?: number;
  sessionStartRemaining?: number;
  clock?: Clock;
  logger?: Logger;
}

/**
 * Identify slots from the coordinator's one policy for shards that run outside a leased host (benchmarks,
 * tests of the shard alone): one in-process host leases every shard, and its identify gate is the one the
 * shards use. The same rules decide as for deployed hosts; there is no second copy of them.
 */
export function inProcessIdentifyGate(o: InProcessGateOptions): { gate: IdentifyGate; close(): Promise<void> } {
  const clock = o.clock ?? systemClock;
  const coordinator = new InProcessCoordinator({
    config: coordinatorPolicy(60_000, o.windowMs ?? DEFAULT_IDENTIFY_WINDOW_MS),
    clock,
  });
  const held = new Set<number>();
  let allHeld: () => void = () => {};
  const ready = new Promise<void>((resolve) => (allHeld = resolve));
  const client = new LeaseClient({
    hostId: 'in-process',
    capacity: o.shardCount,
    shardCount: o.shardCount,
    gateway: {
      maxConcurrency: o.maxConcurrency,
      sessionStartTotal: 1000,
      sessionStartRemaining: o.sessionStartRemaining ?? 1000,
      sessionStartResetAfterMs: 0,
    },
    connect: coordinator.connect('in-process'),
    runner: {
      start: (shard) => {
        held.add(shard);
        if (held.size === o.shardCount) allHeld();
      },
      stop: async (shard) => (held.delete(shard), null),
      report: () => ({ state: 'ready', session: null, latencyMs: null, guilds: null, lastEventAgeMs: null }),
      command: async () => {},
    },
    logger: o.logger ?? createLogger({}, 'error'),
    clock,
  });
  client.start();
  return {
    // Every shard is leased to this one host within a few microtask turns; acquire waits for that.
    gate: {
      acquire: async (shard, signal) => {
        await ready;
        return client.identifyGate.acquire(shard, signal);
      },
      answered: (shard) => client.identifyGate.answered(shard),
    },
    close: async () => {
      await client.shutdown();
      coordinator.close();
    },
  };
}
