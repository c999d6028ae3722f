// /api/v10/*: the REST proxy for other programs, in Discord's own request shape, so @discordjs/rest (its `api`
// option pointed at https://<worker>/api) and discordeno's proxy mode work unchanged. Only the configured bot
// token or EDGESHARD_REST_PROXY_KEY is served (as `Bot <t>`, `Bearer <t>` or bare, or the proxy key in
// X-Edgeshard-Proxy-Key, which clients set once for every call, the `auth: false` ones included: interaction
// callbacks and webhook tokens); anything else gets 401 before any call upstream, so strangers can neither
// use the bot nor spend its invalid-request budget.
// Answers are Discord's, rate-limit headers included, or the proxy's own Discord-shaped refusals.
import { Hono, type Context } from 'hono';
import { bearer, authorizationToken, bodyLimit, matchesAny, type AppEnv } from '../middleware/index.ts';
import { restProxyStub } from '../rest/stub.ts';
import { unwrap } from '../rpc.ts';
import type { RestRequest } from '../rest/types.ts';

/** Optional request header: the longest the caller will wait for the limits before a 429 of ours. */
export const MAX_WAIT_HEADER = 'x-edgeshard-max-wait-ms';
/**
 * EDGESHARD_REST_PROXY_KEY on every call, whatever the Authorization header says. @discordjs/rest sends no
 * Authorization on interaction callbacks (`auth: false`): `new REST({ api, headers: { [PROXY_KEY_HEADER]: key } })`.
 */
export const PROXY_KEY_HEADER = 'x-edgeshard-proxy-key';
const FORWARDED = ['content-type', 'x-audit-log-reason', 'user-agent'];
export const MAX_BODY_BYTES = 26 * 1024 * 1024;

const unauthorised = (message: string) =>
  Response.json({ message: `401: Unauthorized (${message})`, code: 0 }, { status: 401 });

/** The proxy key header when it is right; otherwise the Authorization header's token. */
async function presentedCredential(c: Context<AppEnv>): Promise<string | null> {
  const key = c.req.header(PROXY_KEY_HEADER);
  const proxyKey = c.var.config.restProxyKey;
  if (key && proxyKey && (await matchesAny(key, [proxyKey]))) return key;
  return authorizationToken(c.req.header('authorization'));
}

export function restRoute(): Hono<AppEnv> {
  const route = new Hono<AppEnv>();
  const auth = bearer({
    accepted: (c) => c.var.config.restCredentials,
    presented: presentedCredential,
    disabled: () => unauthorised('the Worker has no DISCORD_TOKEN: `wrangler secret put DISCORD_TOKEN`'),
    missing: () =>
      unauthorised(`send the bot token or EDGESHARD_REST_PROXY_KEY in the Authorization or ${PROXY_KEY_HEADER} header`),
    wrong: () =>
      unauthorised(`send the bot token or EDGESHARD_REST_PROXY_KEY in the Authorization or ${PROXY_KEY_HEADER} header`),
  });
  const size = bodyLimit({
    max: () => MAX_BODY_BYTES,
    fix: () => 'Discord accepts at most 25 MiB of attachments per request',
    refuse: () => Response.json({ message: 'Request entity too large', code: 40005 }, { status: 413 }),
  });
  route.all('/*', auth, size, async (c) => {
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
    const body = c.var.body;
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD' && body.byteLength > 0) {
      req.body = headers['content-type']?.startsWith('application/json')
        ? new TextDecoder().decode(body)
        : body.slice().buffer;
    }
    const res = unwrap(await restProxyStub(c.env).request(req));
    return new Response(res.status === 204 ? null : res.body, { status: res.status, headers: res.headers });
  });
  return route;
}
