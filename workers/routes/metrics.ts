// GET /metrics: Prometheus text (observability/prometheus.ts), behind EDGESHARD_METRICS_TOKEN (or
// EDGESHARD_STATUS_TOKEN), `Authorization: Bearer …` only (scrapers send headers; no cookies or ?token=).
import { Hono } from 'hono';
import type { Registry } from '../dispatch/registry.ts';
import type { Env } from '../env.ts';
import { renderPrometheus } from '../observability/prometheus.ts';
import { authorizeMetrics } from './status-auth.ts';
import { consoleData } from './status-data.ts';

export function metricsRoute(registry: Registry): Hono<{ Bindings: Env }> {
  const route = new Hono<{ Bindings: Env }>();
  route.get('/metrics', async (c) => {
    await authorizeMetrics(c);
    const data = await consoleData(c.env, registry);
    return c.text(renderPrometheus(data.worker, data.rest, data), 200, {
      'content-type': 'text/plain; version=0.0.4; charset=utf-8',
      'cache-control': 'no-store',
    });
  });
  return route;
}
