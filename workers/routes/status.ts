// GET /status (HTML) and /status.json: the operator's console — the lease table, host load, handler errors,
// the REST proxy, the identify budget. Off unless EDGESHARD_STATUS_TOKEN is set; then a request must present
// it as `Authorization: Bearer …`, `?token=…` (which sets an HttpOnly cookie and redirects, so the token
// leaves the address bar) or that cookie (routes/status-auth.ts).
import { Hono } from 'hono';
import type { Registry } from '../dispatch/registry.ts';
import type { Env } from '../env.ts';
import { renderStatus } from './status-html.ts';
import { authorizeStatus, STATUS_COOKIE } from './status-auth.ts';
import { consoleData } from './status-data.ts';

export function statusRoute(registry: Registry): Hono<{ Bindings: Env }> {
  const route = new Hono<{ Bindings: Env }>();

  route.get('/status.json', async (c) => {
    await authorizeStatus(c);
    return c.json(await consoleData(c.env, registry), 200, { 'cache-control': 'no-store' });
  });

  route.get('/status', async (c) => {
    await authorizeStatus(c);
    const query = c.req.query('token');
    if (query) {
      const secure = new URL(c.req.url).protocol === 'https:' ? '; Secure' : '';
      return new Response(null, {
        status: 303,
        headers: {
          location: '/status',
          'set-cookie': `${STATUS_COOKIE}=${encodeURIComponent(query)}; HttpOnly; SameSite=Strict; Path=/status${secure}`,
        },
      });
    }
    return c.html(renderStatus(await consoleData(c.env, registry)), 200, { 'cache-control': 'no-store' });
  });

  return route;
}
