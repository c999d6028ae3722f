// The host's end of the coordinator connection: opens it through the injected LeaseConnect (a WebSocket to
// the ShardCoordinator DO, or the in-process driver), reconnects with jittered backoff, and sends. The
// first reconnect comes well inside the fence margin, so a Worker deploy costs no shard.
import type { CoordinatorMessage, HostMessage } from '../../protocol/index.ts';
import { RECONNECT_CAP_MS } from '../../coordination/table.ts';
import { backoff } from '../gateway/backoff.ts';
import type { Clock, Timer } from '../gateway/clock.ts';
import type { Logger } from '../log.ts';
import type { LeaseConnect, LeaseLink } from './transport.ts';

export interface CoordinatorLinkEvents {
  open(): void;
  message(msg: CoordinatorMessage): void;
  closed(): void;
}

/** The link's state: one value, changed only in #set. `token` tells this connection's callbacks from a
 *  previous one's. */
type LinkState =
  | { kind: 'connecting'; token: object; link: LeaseLink | null }
  | { kind: 'open'; token: object; link: LeaseLink }
  | { kind: 'waiting'; timer: Timer }
  | { kind: 'closed' };

export class CoordinatorLink {
  readonly #connect: LeaseConnect;
  readonly #events: CoordinatorLinkEvents;
  readonly #clock: Clock;
  readonly #random: () => number;
  readonly #log: Logger;
  /** Upper bound of the first reconnect's jitter (ms); the client keeps it inside the fence margin. */
  firstRetryMs = 1_000;
  #state: LinkState = { kind: 'closed' };
  #attempt = 0;
  #stopped = false;
  readonly stats = { connects: 0 };

  constructor(connect: LeaseConnect, events: CoordinatorLinkEvents, clock: Clock, random: () => number, log: Logger) {
    this.#connect = connect;
    this.#events = events;
    this.#clock = clock;
    this.#random = random;
    this.#log = log;
  }

  get open(): boolean {
    return this.#state.kind === 'open';
  }

  start(): void {
    if (this.#state.kind === 'closed' && !this.#stopped) this.#open();
  }

  send(msg: HostMessage): boolean {
    return this.#state.kind === 'open' && this.#state.link.send(msg);
  }

  /** Drops the connection and reconnects (a link that stopped answering is dead whatever TCP says). */
  restart(code: number, reason: string): void {
    const s = this.#state;
    if ((s.kind === 'open' || s.kind === 'connecting') && s.link) s.link.close(code, reason);
  }

  /** For good (shutdown). */
  close(code: number, reason: string): void {
    const s = this.#state;
    this.#stopped = true;
    this.#set({ kind: 'closed' });
    if (s.kind === 'waiting') s.timer.cancel();
    if ((s.kind === 'open' || s.kind === 'connecting') && s.link) s.link.close(code, reason);
  }

  #set(state: LinkState): void {
    this.#state = state;
  }

  #open(): void {
    const token = {};
    const mine = () =>
      (this.#state.kind === 'connecting' || this.#state.kind === 'open') && this.#state.token === token;
    this.#set({ kind: 'connecting', token, link: null });
    // A LeaseConnect reports open asynchronously (after it returned the link).
    let link: LeaseLink | null = null;
    link = this.#connect({
      open: () => {
        if (!mine() || !link) return;
        this.#set({ kind: 'open', token, link });
        this.#attempt = 0;
        this.stats.connects++;
        this.#events.open();
      },
      message: (msg) => this.#state.kind === 'open' && this.#state.token === token && this.#events.message(msg),
      close: (code, reason) => {
        if (!mine()) return;
        // Jittered, so hosts dropped together by a deploy do not reconnect together.
        const delay =
          this.#attempt === 0
            ? Math.floor(this.#random() * this.firstRetryMs)
            : backoff(this.#attempt, { baseMs: 500, maxMs: RECONNECT_CAP_MS, random: this.#random });
        this.#attempt++;
        this.#log.warn('lease connection closed; reconnecting', { code, reason, delayMs: delay });
        this.#set({ kind: 'waiting', timer: this.#clock.setTimeout(() => this.#open(), delay) });
        this.#events.closed();
      },
    });
    if (this.#state.kind === 'connecting' && this.#state.token === token) this.#state.link = link;
  }
}
