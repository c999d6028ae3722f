// Who may read the operator's pages. /status and /status.json: EDGESHARD_STATUS_TOKEN as
// `Authorization: Bearer …`, `?token=…` or the cookie /status sets. /metrics: `Authorization: Bearer` with
// EDGESHARD_METRICS_TOKEN (a scraper's own credential, which can be rotated without touching the page's),
// or EDGESHARD_STATUS_TOKEN when no metrics token is set. Both are off until their token is set.
import type { Context } from 'hono';
import { EdgeshardError, ERROR_CODES } from '../../protocol/index.ts';
import type { Env } from '../env.ts';

export const STATUS_COOKIE = 'edgeshard_status';

/** Constant-time comparison through HMAC digests of both sides. */
export async function sameToken(a: string, b: string): Promise<boolean> {
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

function bearer(c: Context<{ Bindings: Env }>): string | null {
  const auth = c.req.header('authorization');
  return auth?.startsWith('Bearer ') ? auth.slice(7) : null;
}

function presented(c: Context<{ Bindings: Env }>): string | null {
  const token = bearer(c);
  if (token) return token;
  const query = c.req.query('token');
  if (query) return query;
  const cookie = c.req
    .header('cookie')
    ?.split(/;\s*/)
    .find((p) => p.startsWith(`${STATUS_COOKIE}=`));
  return cookie ? decodeURIComponent(cookie.slice(STATUS_COOKIE.length + 1)) : null;
}

export async function authorizeStatus(c: Context<{ Bindings: Env }>): Promise<void> {
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

export async function authorizeMetrics(c: Context<{ Bindings: Env }>): Promise<void> {
  const expected = c.env.EDGESHARD_METRICS_TOKEN || c.env.EDGESHARD_STATUS_TOKEN;
  const name = c.env.EDGESHARD_METRICS_TOKEN ? 'EDGESHARD_METRICS_TOKEN' : 'EDGESHARD_STATUS_TOKEN';
  if (!expected)
    throw new EdgeshardError(
      ERROR_CODES.STATUS_DISABLED,
      '/metrics is off: set EDGESHARD_METRICS_TOKEN (or EDGESHARD_STATUS_TOKEN) with `wrangler secret put`, and scrape with Authorization: Bearer <it>',
    );
  const token = bearer(c);
  if (!token) throw new EdgeshardError(ERROR_CODES.BAD_TOKEN, `/metrics needs Authorization: Bearer <${name}>`);
  if (!(await sameToken(token, expected)))
    throw new EdgeshardError(ERROR_CODES.BAD_TOKEN, `wrong metrics token: use the value of ${name}`);
}
