// POST /events: signed event batches from shard hosts. Verify first (no handler runs on a bad or stale
// signature), then decode, then dispatch every event and answer per event so the host retries only what
// failed.
import { Hono } from 'hono';
import {
  EdgeshardError,
  ERROR_CODES,
  parseEventBatch,
  PROTOCOL_VERSION,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  verify,
  type BatchResponse,
  type EventEnvelope,
  type EventResult,
} from '../../protocol/index.ts';
import { createHandlerContext } from '../dispatch/context.ts';
import type { Registry } from '../dispatch/registry.ts';
import type { Env } from '../env.ts';
import { readBodyLimited } from './body.ts';

const DEFAULT_MAX_BATCH_BYTES = 1024 * 1024;

/** What goes back to the host about a handler error: our own codes, never a raw message. */
function describe(err: unknown): string {
  if (err instanceof EdgeshardError) return `${err.code}: ${err.message}`;
  return err instanceof Error ? err.name : 'non-error thrown';
}

export function eventsRoute(registry: Registry): Hono<{ Bindings: Env }> {
  const route = new Hono<{ Bindings: Env }>();

  route.post('/', async (c) => {
    const secret = c.env.EDGESHARD_SECRET;
    if (!secret) throw new EdgeshardError(ERROR_CODES.CONFIG_INVALID, 'EDGESHARD_SECRET is not set on the Worker: `wrangler secret put EDGESHARD_SECRET` (or .dev.vars locally)');
    const limit = Number(c.env.EDGESHARD_MAX_BATCH_BYTES ?? DEFAULT_MAX_BATCH_BYTES);
    const body = await readBodyLimited(c.req.raw, limit);
    await verify(secret, { timestamp: c.req.header(TIMESTAMP_HEADER), signature: c.req.header(SIGNATURE_HEADER) }, body);

    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch (cause) {
      throw new EdgeshardError(ERROR_CODES.MALFORMED_BATCH, `malformed event batch: body is not JSON (${(cause as Error).message})`, { cause });
    }
    const batch = parseEventBatch(json);

    const waitUntil = (p: Promise<unknown>) => c.executionCtx.waitUntil(p);
    const dispatchOne = async (event: EventEnvelope): Promise<EventResult> => {
      const ctx = createHandlerContext(c.env, event, waitUntil);
      const outcome = await registry.dispatch(event, ctx);
      if (outcome.errors.length === 0) return { id: event.id, outcome: 'ack' };
      for (const err of outcome.errors) ctx.log.error('handler failed', { error: describe(err) });
      return { id: event.id, outcome: 'retry', error: outcome.errors.map(describe).join('; ') };
    };

    const results = await Promise.all(batch.events.map(dispatchOne));
    return c.json({ v: PROTOCOL_VERSION, results } satisfies BatchResponse);
  });

  return route;
}
