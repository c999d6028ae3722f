// Runs the handlers for one gateway event and turns the outcome into its per-event result. Shared by the
// /events route (with a time budget) and the queue consumer (without one).
import { EdgeshardError, type EventEnvelope, type EventResult } from '../../protocol/index.ts';
import { createHandlerContext } from '../dispatch/context.ts';
import type { Registry } from '../dispatch/registry.ts';
import type { Env } from '../env.ts';

/** How long /events waits for an event's handlers before answering for it (EDGESHARD_HANDLER_BUDGET_MS). */
export const DEFAULT_HANDLER_BUDGET_MS = 10_000;

/** Longest handler error text sent back to the host (it lands in its dead-letter file and logs). */
const MAX_ERROR_TEXT = 500;

/**
 * What goes back to the host about a handler error, for its retry log and dead-letter file: our own code and
 * message, or the error's name and message (the host is the bot's own, authenticated with EDGESHARD_SECRET;
 * nothing here reaches a platform or an unauthenticated caller).
 */
export function describe(err: unknown): string {
  if (err instanceof EdgeshardError) return `${err.code}: ${err.message}`.slice(0, MAX_ERROR_TEXT);
  if (err instanceof Error) return (err.message ? `${err.name}: ${err.message}` : err.name).slice(0, MAX_ERROR_TEXT);
  return 'non-error thrown';
}

export async function dispatchEvent(
  registry: Registry,
  env: Env,
  event: EventEnvelope,
  waitUntil: (p: Promise<unknown>) => void,
  budgetMs = Infinity,
): Promise<EventResult> {
  const ctx = createHandlerContext(env, event, waitUntil);
  const run = registry.dispatch(event, ctx).then((outcome): EventResult => {
    if (outcome.errors.length === 0) return { id: event.id, outcome: 'ack' };
    for (const err of outcome.errors) ctx.log.error('handler failed', { error: describe(err) });
    return { id: event.id, outcome: 'retry', error: outcome.errors.map(describe).join('; ') };
  });
  if (!Number.isFinite(budgetMs)) return run;

  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), budgetMs)));
  const first = await Promise.race([run, late]);
  if (timer !== undefined) clearTimeout(timer);
  if (first !== 'late') return first;
  // Over budget: acknowledge, so one slow handler does not hold its shard's batch (and every later event
  // of that shard) hostage, and let it finish under waitUntil. The price: a failure after this point is
  // logged, not retried. Bots whose handlers are routinely slow should use queue mode (README, Delivery).
  ctx.log.warn('handler over its budget: event acknowledged, handler continues in waitUntil', { budgetMs });
  waitUntil(
    run.then((result) => {
      if (result.outcome !== 'ack')
        ctx.log.error('handler failed after its budget; the event is not retried', { error: result.error });
    }),
  );
  return { id: event.id, outcome: 'ack' };
}
