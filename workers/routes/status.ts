// GET /status (HTML) and /status.json: the lease table for operators. Off unless EDGESHARD_STATUS_TOKEN is
// set; then a request must present it as `Authorization: Bearer …`, `?token=…` (which sets an HttpOnly
// cookie and redirects, so the token leaves the address bar) or that cookie.
import { Hono, type Context } from 'hono';
import { EdgeshardError, ERROR_CODES } from '../../protocol/index.ts';
import { coordinatorStub } from '../coordinator/stub.ts';
import type { Env } from '../env.ts';
import { renderStatus } from './status-html.ts';

const COOKIE = 'edgeshard_status';

/** Constant-time comparison through HMAC digests of both sides. */
async function sameToken(a: string, b: string): Promise<boolean> {
  const key = await crypto.subtle.importKey(
    'raw',
    crypto.getRandomValues(new Uint8Array(32)),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  const enc = new TextEncoder();
  const [x, y] = await Promise.all([
    crypto.subtle.sign('HMAC', key, enc.encode(a)),
    crypto.subtle.sign('HMAC', key, enc.encode(b)),
  ]);
  const u = new Uint8Array(x);
  const w = new Uint8Array(y);
  let diff = 0;
  for (let i = 0; i < u.length; i++) diff |= u[i]! ^ w[i]!;
  return diff === 0;
}

function presented(c: Context<{ Bindings: Env }>): string | null {
  const auth = c.req.header('authorization');
  if (auth?.startsWith('Bearer ')) return auth.slice(7);
  const query = c.req.query('token');
  if (query) return query;
  const cookie = c.req
    .header('cookie')
    ?.split(/;\s*/)
    .find((p) => p.startsWith(`${COOKIE}=`));
  return cookie ? decodeURIComponent(cookie.slice(COOKIE.length + 1)) : null;
}

async function authorize(c: Context<{ Bindings: Env }>): Promise<void> {
  const expected = c.env.EDGESHARD_STATUS_TOKEN;
  if (!expected)
    throw new EdgeshardError(
      ERROR_CODES.STATUS_DISABLED,
      'the status page is off: set EDGESHARD_STATUS_TOKEN (`wrangler secret put EDGESHARD_STATUS_TOKEN`, or .dev.vars locally) and open /status?token=<it>',
    );
  const token = presented(c);
  if (!token)
    throw new EdgeshardError(
      ERROR_CODES.BAD_TOKEN,
      'the status page needs EDGESHARD_STATUS_TOKEN: open /status?token=<it> or send Authorization: Bearer <it>',
    );
  if (!(await sameToken(token, expected)))
    throw new EdgeshardError(ERROR_CODES.BAD_TOKEN, 'wrong status token: use the value of EDGESHARD_STATUS_TOKEN');
}

export function statusRoute(): Hono<{ Bindings: Env }> {
  const route = new Hono<{ Bindings: Env }>();

  route.get('/status.json', async (c) => {
    await authorize(c);
    return c.json(await coordinatorStub(c.env).status(), 200, { 'cache-control': 'no-store' });
  });

  route.get('/status', async (c) => {
    await authorize(c);
    const query = c.req.query('token');
    if (query) {
      const secure = new URL(c.req.url).protocol === 'https:' ? '; Secure' : '';
      return new Response(null, {
        status: 303,
        headers: {
          location: '/status',
          'set-cookie': `${COOKIE}=${encodeURIComponent(query)}; HttpOnly; SameSite=Strict; Path=/status${secure}`,
        },
      });
    }
    return c.html(renderStatus(await coordinatorStub(c.env).status()), 200, { 'cache-control': 'no-store' });
  });

  return route;
}
