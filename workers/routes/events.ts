// POST /events: signed event batches from shard hosts, one request carrying several shards' events (batch
// version 2; another version is 503 batch_version, so the host keeps its events until both match). Size
// first (413, at most the limit is read), then the signature (401: no handler runs on a bad or stale one),
// then the shape (400 naming the first bad field). The coordinator then fences each shard by its lease epoch
// (a stale shard's events are answered `fenced`, the others run). Then either dispatch every admitted event
// here, each within the handler budget, or (queue mode) hand them to a Cloudflare Queue, in chunks that may
// mix shards. Either way the answer is per event, so the host retries only failures.
import { Hono } from 'hono';
import {
  EdgeshardError,
  ERROR_CODES,
  parseEventBatch,
  PROTOCOL_VERSION,
  type BatchResponse,
  type EventEnvelope,
  type EventResult,
} from '../../protocol/index.ts';
import type { Registry } from '../dispatch/registry.ts';
import type { Env } from '../env.ts';
import { gatewayItem } from '../delivery/items.ts';
import { batchPlatform, runOnce } from '../delivery/once.ts';
import { chunkForQueue, enqueue } from '../queue/enqueue.ts';
import { need } from '../config.ts';
import { bodyLimit, bodyText, hostHmac, type AppEnv } from '../middleware/index.ts';
import { parseJsonBody } from './body.ts';
import { DEFAULT_HANDLER_BUDGET_MS, dispatchEvent } from './dispatch-event.ts';

function setting(env: Env, name: 'EDGESHARD_HANDLER_BUDGET_MS', fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0)
    throw new EdgeshardError(
      ERROR_CODES.CONFIG_INVALID,
      `${name} must be a positive number, got "${raw}": fix it in wrangler.toml [vars]`,
    );
  return n;
}

export function eventsRoute(registry: Registry): Hono<AppEnv> {
  const route = new Hono<AppEnv>();

  // Size (413, at most the limit read), then the signature (401), by middleware (workers/middleware).
  const size = bodyLimit({
    max: (c) => {
      need(c.var.config.secret); // an unset secret is a 500 naming it, before a byte is read
      return need(c.var.config.maxBatchBytes);
    },
    fix: () =>
      "send smaller batches (the host's EDGESHARD_BATCH_MAX_BYTES) or raise EDGESHARD_MAX_BATCH_BYTES on the Worker",
  });
  route.post('/', size, hostHmac(), async (c) => {
    const env = c.env;
    const body = bodyText(c);

    const batch = parseEventBatch(parseJsonBody(body, ERROR_CODES.MALFORMED_BATCH, 'malformed event batch: body'));
    const waitUntil = (p: Promise<unknown>) => c.executionCtx.waitUntil(p);
    const budgetMs = setting(env, 'EDGESHARD_HANDLER_BUDGET_MS', DEFAULT_HANDLER_BUDGET_MS);
    const direct = (events: readonly EventEnvelope[]) =>
      Promise.all(events.map((e) => dispatchEvent(registry, env, e, waitUntil, budgetMs)));
    const queue = env.EDGESHARD_DELIVERY === 'queue';
    if (queue && !env.EVENTS_QUEUE) {
      throw new EdgeshardError(
        ERROR_CODES.CONFIG_INVALID,
        'EDGESHARD_DELIVERY is "queue" but the EVENTS_QUEUE binding is missing: deploy with `wrangler deploy --env queue` (see README, Delivery)',
      );
    }

    // One call to the coordinator of the batch's platform admits the batch (each shard's lease fence, then the
    // ledger: what already ran is acknowledged without running again); one more records what completed. A
    // dead-letter replay skips the fence only.
    const byId = await runOnce(env, {
      platform: batchPlatform(batch.events),
      fence: batch.replay ? null : { host: batch.host, epochs: batch.epochs },
      events: batch.events,
      item: gatewayItem,
      record: !queue,
      run: async (events) => {
        if (!queue) return direct(events);
        const { chunks, tooLarge } = chunkForQueue(events);
        const [queued, inline] = await Promise.all([enqueue(env.EVENTS_QUEUE!, chunks), direct(tooLarge)]);
        return [...queued, ...inline];
      },
    });
    const results: EventResult[] = batch.events.map((e) => byId.get(e.id)!);
    return c.json({ v: PROTOCOL_VERSION, results } satisfies BatchResponse);
  });

  return route;
}
