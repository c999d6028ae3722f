// GET /status (HTML) and /status.json: the operator's console (the lease table, host load, handler outcomes,
// the REST proxy, the identify budget; routes/status-data.ts gathers it). Off unless EDGESHARD_STATUS_TOKEN is
// set; then a request must present it as `Authorization: Bearer …`, `?token=…` or the cookie. `?token=` is
// answered with the cookie and a redirect to the same page without it, so the token leaves the address bar
// (and browser history, and Referer headers). One cookie serves both pages.
import { Hono, type Context } from 'hono';
import { EdgeshardError, ERROR_CODES } from '../../protocol/index.ts';
import type { Registry } from '../dispatch/registry.ts';
import { bearer, type AppEnv } from '../middleware/index.ts';
import { consoleData } from './status-data.ts';
import { renderStatus } from './status-html.ts';

export const STATUS_COOKIE = 'edgeshard_status';

/** No framing (clickjacking), no scripts, no outside requests: the page is styles and text. */
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

function presented(c: Context<AppEnv>): string | null {
  const auth = c.req.header('authorization');
  if (auth?.startsWith('Bearer ')) return auth.slice(7);
  const query = c.req.query('token');
  if (query) return query;
  const cookie = c.req
    .header('cookie')
    ?.split(/;\s*/)
    .find((p) => p.startsWith(`${STATUS_COOKIE}=`));
  if (!cookie) return null;
  try {
    return decodeURIComponent(cookie.slice(STATUS_COOKIE.length + 1));
  } catch {
    return null;
  }
}

const authorize = bearer({
  accepted: (c) => (c.var.config.statusToken ? [c.var.config.statusToken] : []),
  presented,
  disabled: () => {
    throw new EdgeshardError(
      ERROR_CODES.STATUS_DISABLED,
      'the status page is off: set EDGESHARD_STATUS_TOKEN (`wrangler secret put EDGESHARD_STATUS_TOKEN`, or .dev.vars locally) and open /status?token=<it>',
    );
  },
  missing: () => {
    throw new EdgeshardError(
      ERROR_CODES.BAD_TOKEN,
      'the status page needs EDGESHARD_STATUS_TOKEN: open /status?token=<it> or send Authorization: Bearer <it>',
    );
  },
  wrong: () => {
    throw new EdgeshardError(ERROR_CODES.BAD_TOKEN, 'wrong status token: use the value of EDGESHARD_STATUS_TOKEN');
  },
});

/** `?token=` (already checked): set the cookie for both pages and redirect to the same page without it. */
function dropTokenFromUrl(c: Context<AppEnv>): Response | null {
  const token = c.req.query('token');
  if (!token) return null;
  const url = new URL(c.req.url);
  url.searchParams.delete('token');
  const secure = url.protocol === 'https:' ? '; Secure' : '';
  return new Response(null, {
    status: 303,
    headers: {
      ...SECURITY_HEADERS,
      location: url.pathname + url.search,
      'set-cookie': `${STATUS_COOKIE}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/${secure}`,
    },
  });
}

export function statusRoute(registry: Registry): Hono<AppEnv> {
  const route = new Hono<AppEnv>();

  route.get('/status.json', authorize, async (c) => {
    return dropTokenFromUrl(c) ?? c.json(await consoleData(c.env, registry), 200, SECURITY_HEADERS);
  });

  route.get('/status', authorize, async (c) => {
    return dropTokenFromUrl(c) ?? c.html(renderStatus(await consoleData(c.env, registry)), 200, SECURITY_HEADERS);
  });

  return route;
}
