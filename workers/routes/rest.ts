// /api/v10/*: the REST proxy for other programs, in Discord's own request shape, so @discordjs/rest (its `api`
// option pointed at https://<worker>/api) and discordeno's proxy mode work unchanged. Only the configured bot
// token or EDGESHARD_REST_PROXY_KEY is served (as `Bot <t>`, `Bearer <t>` or bare); anything else gets 401
// before any call upstream, so strangers can neither use the bot nor spend its invalid-request budget.
// Answers are Discord's, rate-limit headers included, or the proxy's own Discord-shaped refusals.
import { Hono } from 'hono';
import type { Env } from '../env.ts';
import { restProxyStub } from '../rest/stub.ts';
import { unwrap } from '../rpc.ts';
import type { RestRequest } from '../rest/types.ts';

/** Optional request header: the longest the caller will wait for the limits before a 429 of ours. */
export const MAX_WAIT_HEADER = 'x-edgeshard-max-wait-ms';
const FORWARDED = ['content-type', 'x-audit-log-reason', 'user-agent'];
const MAX_BODY_BYTES = 26 * 1024 * 1024;

const encoder = new TextEncoder();

/** Digests of the accepted secrets, computed once per isolate rather than on every request. */
const acceptedDigests = new Map<string, ArrayBuffer>();

async function digestOf(secret: string): Promise<ArrayBuffer> {
  let digest = acceptedDigests.get(secret);
  if (!digest) {
    digest = await crypto.subtle.digest('SHA-256', encoder.encode(secret));
    if (acceptedDigests.size >= 8) acceptedDigests.clear(); // secrets rotated many times: start over
    acceptedDigests.set(secret, digest);
  }
  return digest;
}

/** Compares digests in constant time, so the comparison leaks neither the secret nor its length. */
async function authorised(env: Env, header: string | undefined): Promise<boolean> {
  if (!header) return false;
  const presented = header.replace(/^(Bot|Bearer)\s+/i, '').trim();
  if (presented === '') return false;
  const given = await crypto.subtle.digest('SHA-256', encoder.encode(presented));
  for (const accepted of [env.DISCORD_TOKEN, env.EDGESHARD_REST_PROXY_KEY]) {
    if (accepted && crypto.subtle.timingSafeEqual(given, await digestOf(accepted))) return true;
  }
  return false;
}

const unauthorised = (message: string) =>
  Response.json({ message: `401: Unauthorized (${message})`, code: 0 }, { status: 401 });

export function restRoute(): Hono<{ Bindings: Env }> {
  const route = new Hono<{ Bindings: Env }>();
  route.all('/*', async (c) => {
    if (!c.env.DISCORD_TOKEN && !c.env.EDGESHARD_REST_PROXY_KEY) {
      return unauthorised('the Worker has no DISCORD_TOKEN: `wrangler secret put DISCORD_TOKEN`');
    }
    if (!(await authorised(c.env, c.req.header('authorization')))) {
      return unauthorised('send the bot token or EDGESHARD_REST_PROXY_KEY in the Authorization header');
    }
    const url = new URL(c.req.url);
    const path = url.pathname.replace(/^.*?\/api\/v10/, '') + url.search;
    const req: RestRequest = { method: c.req.method, path };
    const headers: Record<string, string> = {};
    for (const name of FORWARDED) {
      const value = c.req.header(name);
      if (value !== undefined) headers[name] = value;
    }
    req.headers = headers;
    const maxWait = c.req.header(MAX_WAIT_HEADER);
    if (maxWait !== undefined) {
      const ms = Number(maxWait);
      if (!Number.isFinite(ms) || ms < 0)
        return Response.json(
          { message: `${MAX_WAIT_HEADER} must be a number of milliseconds, got "${maxWait}"`, code: 50035 },
          { status: 400 },
        );
      req.maxWaitMs = ms;
    }
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') {
      const body = await c.req.arrayBuffer();
      if (body.byteLength > MAX_BODY_BYTES)
        return Response.json({ message: 'Request entity too large', code: 40005 }, { status: 413 });
      if (body.byteLength > 0)
        req.body = headers['content-type']?.startsWith('application/json') ? new TextDecoder().decode(body) : body;
    }
    const res = unwrap(await restProxyStub(c.env).request(req));
    return new Response(res.status === 204 ? null : res.body, { status: res.status, headers: res.headers });
  });
  return route;
}
