// The limiter's queues: one lane per limiter key (bucket hash + major parameter, see routes.ts). A route is
// keyed by its template until its first response names the bucket; then its lanes move to the bucket's key,
// joining a lane already there when another route shares the bucket. Idle lanes are swept.
import { Bucket } from './bucket.ts';
import type { LimitedResponse } from './headers.ts';
import { splitByDocumentedMajor } from './routes.ts';
import type { Outcome } from './types.ts';

/** One request waiting in, or in flight on, a lane. */
export interface Queued {
  /** The lane the request is queued in or in flight on; moved when lanes merge. */
  lane: Lane;
  method: string;
  route: string;
  major: string;
  path: string;
  /** Retries after a 429. */
  attempt: number;
  /** Retries after a 5xx (retry.ts). */
  serverRetries: number;
  send: () => Promise<LimitedResponse>;
  settle: (outcome: Outcome<LimitedResponse>) => void;
  fail: (err: unknown) => void;
  cancelDeadline: (() => void) | undefined;
}

export interface Lane {
  id: string;
  route: string;
  major: string;
  /** Keyed by the route template until the route's bucket hash is known. */
  hashed: boolean;
  inFlight: Set<Queued>;
  bucket: Bucket;
  queue: Queued[];
  cancelWake: (() => void) | undefined;
  wakeAt: number;
}

export class LaneTable {
  readonly #routeHash = new Map<string, string>();
  readonly #lanes = new Map<string, Lane>();
  /** Limit and window per bucket hash, learned from any of its lanes; seeds the lanes of new majors. */
  readonly #shapes = new Map<string, { limit: number; windowMs: number }>();

  get size(): number {
    return this.#lanes.size;
  }

  values(): IterableIterator<Lane> {
    return this.#lanes.values();
  }

  /** The lane for a route and major parameter, created on first use. */
  lane(route: string, major: string): Lane {
    const id = `${this.#routeHash.get(route) ?? route}:${major}`;
    let lane = this.#lanes.get(id);
    if (!lane) {
      const hash = this.#routeHash.get(route);
      lane = {
        id,
        route,
        major,
        hashed: hash !== undefined,
        inFlight: new Set(),
        bucket: new Bucket(),
        queue: [],
        cancelWake: undefined,
        wakeAt: Infinity,
      };
      const shape = hash === undefined || !splitByDocumentedMajor(route) ? undefined : this.#shapes.get(hash);
      if (shape) lane.bucket.assume(shape.limit, shape.windowMs);
      this.#lanes.set(id, lane);
    }
    return lane;
  }

  /** Call after a response updated `lane`'s bucket: its limit then holds for every major of the bucket. */
  remember(lane: Lane): void {
    const hash = this.#routeHash.get(lane.route);
    if (!lane.hashed || hash === undefined || lane.bucket.mode !== 'limited' || lane.bucket.windowMs <= 0) return;
    this.#shapes.set(hash, { limit: lane.bucket.limit, windowMs: lane.bucket.windowMs });
  }

  /**
   * The first response of a route names its bucket: every lane of the route moves to the bucket's key.
   * Returns the lanes that were merged into another (gone) and the lanes that took them over (to pump).
   */
  learn(route: string, hash: string): { merged: Lane[]; targets: Lane[] } {
    const merged: Lane[] = [];
    const targets: Lane[] = [];
    if (this.#routeHash.get(route) === hash) return { merged, targets };
    this.#routeHash.set(route, hash);
    for (const lane of [...this.#lanes.values()]) {
      if (lane.route !== route || lane.hashed) continue;
      this.#lanes.delete(lane.id);
      lane.hashed = true;
      const id = `${hash}:${lane.major}`;
      const target = this.#lanes.get(id);
      if (!target) {
        lane.id = id;
        this.#lanes.set(id, lane);
        continue;
      }
      // Another route already uses this bucket: its lane takes over our queue and requests in flight, and
      // counts them as spent in the current window (they may land in it).
      lane.cancelWake?.();
      for (const item of lane.queue) item.lane = target;
      target.queue.push(...lane.queue);
      for (const item of lane.inFlight) {
        item.lane = target;
        target.inFlight.add(item);
      }
      target.bucket.inFlight += lane.bucket.inFlight;
      target.bucket.remaining = Math.max(0, target.bucket.remaining - lane.bucket.inFlight);
      merged.push(lane);
      targets.push(target);
    }
    return { merged, targets };
  }

  /** Forgets lanes with nothing queued whose bucket has been idle for `idleMs`. */
  sweep(now: number, idleMs: number): void {
    for (const [id, lane] of this.#lanes) {
      if (lane.queue.length === 0 && lane.bucket.idle(now, idleMs)) {
        lane.cancelWake?.();
        this.#lanes.delete(id);
      }
    }
  }
}
