// The Worker's own figures, per isolate: events handled and failed per type, handler time, interactions per
// handler. An isolate serves many requests but not all of them (Cloudflare runs as many isolates as load
// needs, and recycles them), so these counters are per isolate: /metrics labels them with the isolate's id,
// and a dashboard sums over isolates (a counter restarting from zero is an isolate replaced). For the whole
// bot's view in production, the same observations go to Workers Analytics Engine (analytics.ts).

import { EdgeshardError } from '../../protocol/index.ts';

/** Handler time buckets in ms (Prometheus histogram `le` bounds). */
export const DURATION_BUCKETS_MS = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000] as const;

export type Outcome = 'handled' | 'failed';

export interface EventFigures {
  handled: number;
  failed: number;
  /** Count per DURATION_BUCKETS_MS bound (not cumulative), plus one for > the last bound. */
  buckets: number[];
  durationMsSum: number;
  durationMsMax: number;
  /** The latest failure: what it was (our code and message, or only the error's name) and which event. */
  lastError: { error: string; eventId: string; at: number } | null;
}

export interface MetricsSnapshot {
  isolate: string;
  startedAt: number;
  /** By `platform:TYPE` for events, `discord:interaction:kind:name` for interactions. */
  events: Record<string, EventFigures>;
  /** Events and interactions that arrived with no handler (Registry.unhandled). */
  unhandled: Record<string, number>;
}

export class WorkerMetrics {
  // Set on first use: the Registry is built at module scope, where Workers forbid random values and the
  // clock reads 0.
  #isolate: string | undefined;
  #startedAt = 0;
  readonly #events = new Map<string, EventFigures>();

  get isolate(): string {
    return (this.#isolate ??= crypto.randomUUID().slice(0, 8));
  }

  get startedAt(): number {
    return (this.#startedAt ||= Date.now());
  }

  /** `failure`: for a failed run, the error as the operator may see it (see describeError) and the event. */
  observe(key: string, outcome: Outcome, durationMs: number, failure?: { error: string; eventId: string }): void {
    void this.startedAt;
    let figures = this.#events.get(key);
    if (!figures) {
      figures = {
        handled: 0,
        failed: 0,
        buckets: new Array(DURATION_BUCKETS_MS.length + 1).fill(0),
        durationMsSum: 0,
        durationMsMax: 0,
        lastError: null,
      };
      this.#events.set(key, figures);
    }
    figures[outcome]++;
    if (failure) figures.lastError = { ...failure, at: Date.now() };
    const i = DURATION_BUCKETS_MS.findIndex((bound) => durationMs <= bound);
    figures.buckets[i === -1 ? DURATION_BUCKETS_MS.length : i]!++;
    figures.durationMsSum += durationMs;
    figures.durationMsMax = Math.max(figures.durationMsMax, durationMs);
  }

  snapshot(unhandled: ReadonlyMap<string, number>): MetricsSnapshot {
    return {
      isolate: this.isolate,
      startedAt: this.startedAt,
      events: Object.fromEntries(
        [...this.#events].map(([k, v]) => [
          k,
          { ...v, buckets: [...v.buckets], lastError: v.lastError && { ...v.lastError } },
        ]),
      ),
      unhandled: Object.fromEntries(unhandled),
    };
  }
}

/**
 * An error as the status page may show it: our typed errors with code and message (written to name the fix,
 * never carrying secrets), anything else by its name only — a raw message may hold user data or tokens.
 */
export function describeError(err: unknown): string {
  if (err instanceof EdgeshardError) return `${err.code}: ${err.message}`;
  return err instanceof Error ? err.name : 'non-error thrown';
}
