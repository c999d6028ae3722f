// GET /metrics: Prometheus text (observability/prometheus.ts). `Authorization: Bearer <EDGESHARD_METRICS_TOKEN>`
// (a scraper's own credential, rotated without touching the status page's), or EDGESHARD_STATUS_TOKEN when
// no metrics token is set; headers only (scrapers send headers; no cookie, no ?token=). Off until one is set.
import { Hono } from 'hono';
import { EdgeshardError, ERROR_CODES } from '../../protocol/index.ts';
import type { Registry } from '../dispatch/registry.ts';
import { bearer, type AppEnv } from '../middleware/index.ts';
import { renderPrometheus } from '../observability/prometheus.ts';
import { consoleData } from './status-data.ts';

const tokenName = (c: { var: AppEnv['Variables'] }) =>
  c.var.config.metricsToken ? 'EDGESHARD_METRICS_TOKEN' : 'EDGESHARD_STATUS_TOKEN';

const authorize = bearer({
  accepted: (c) => {
    const token = c.var.config.metricsToken ?? c.var.config.statusToken;
    return token ? [token] : [];
  },
  presented: (c) => {
    const auth = c.req.header('authorization');
    return auth?.startsWith('Bearer ') ? auth.slice(7) : null;
  },
  disabled: () => {
    throw new EdgeshardError(
      ERROR_CODES.STATUS_DISABLED,
      '/metrics is off: set EDGESHARD_METRICS_TOKEN (or EDGESHARD_STATUS_TOKEN) with `wrangler secret put`, and scrape with Authorization: Bearer <it>',
    );
  },
  missing: (c) => {
    throw new EdgeshardError(ERROR_CODES.BAD_TOKEN, `/metrics needs Authorization: Bearer <${tokenName(c)}>`);
  },
  wrong: (c) => {
    throw new EdgeshardError(ERROR_CODES.BAD_TOKEN, `wrong metrics token: use the value of ${tokenName(c)}`);
  },
});

export function metricsRoute(registry: Registry): Hono<AppEnv> {
  const route = new Hono<AppEnv>();
  route.get('/metrics', authorize, async (c) => {
    const data = await consoleData(c.env, registry);
    return c.text(renderPrometheus(data.worker, data.rest, data), 200, {
      'content-type': 'text/plain; version=0.0.4; charset=utf-8',
      'cache-control': 'no-store',
    });
  });
  return route;
}
