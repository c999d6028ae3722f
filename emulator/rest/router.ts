// Serves /api/v10: authentication, route matching, rate limiting, then the route's handler. Every 401, 403
// and non-shared 429 is counted as an invalid request, as Discord counts them per IP.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EmulatorCore } from '../core.ts';
import { bump } from '../counters.ts';
import { BodyError, compileTemplate, sendJson } from '../http.ts';
import { countsAsInvalid, InvalidRequestCounter } from './invalid.ts';
import { readRequestBody, UploadError, type ParsedBody } from './multipart.ts';
import { RateLimiter } from './ratelimit.ts';
import { ROUTES } from './routes.ts';
import { createRestState, type RouteDef } from './route-types.ts';

export const API_PREFIX = '/api/v10';

interface CompiledRoute {
  def: RouteDef;
  key: string;
  match: (path: string) => Record<string, string> | undefined;
}

export function createRestHandler(core: EmulatorCore, routes: RouteDef[] = ROUTES) {
  const limiter = new RateLimiter(core.options.globalLimit);
  const invalid = new InvalidRequestCounter();
  const state = createRestState();
  const compiled: CompiledRoute[] = routes.map((def) => ({
    def,
    key: `${def.method} ${def.path}`,
    match: compileTemplate(def.path),
  }));

  const reply = (
    res: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
    scope?: string,
  ): void => {
    if (countsAsInvalid(status, scope)) {
      invalid.record();
      core.counters.rest.invalid++;
    }
    sendJson(res, status, body, headers);
  };

  return async (req: IncomingMessage, res: ServerResponse, rawPath: string): Promise<void> => {
    core.counters.rest.requests++;
    if (invalid.banned()) {
      // What the Cloudflare ban looks like: not Discord's JSON, no rate-limit headers.
      res.writeHead(429, { 'Content-Type': 'text/html', 'Retry-After': '3600' });
      res.end('<html><body>error code: 1015 (you are being rate limited: too many invalid requests)</body></html>');
      return;
    }
    // Clients may percent-encode the literal `@` of `@me` / `@original`; Discord accepts both spellings.
    const path = rawPath.split('?')[0]!.replace(/%40/gi, '@');
    let route: CompiledRoute | undefined;
    let params: Record<string, string> | undefined;
    let pathMatched = false;
    for (const candidate of compiled) {
      const found = candidate.match(path);
      if (!found) continue;
      pathMatched = true;
      if (candidate.def.method !== req.method) continue;
      route = candidate;
      params = found;
      break;
    }
    // Routes authorised by a token in the path (interaction callbacks, webhooks) need no bot token.
    if (route?.def.auth !== false && req.headers.authorization !== `Bot ${core.options.token}`) {
      return reply(res, 401, { message: '401: Unauthorized', code: 0 });
    }
    if (!route || !params) {
      if (pathMatched) return reply(res, 405, { message: '405: Method Not Allowed', code: 0 });
      return reply(res, 404, { message: '404: Not Found', code: 0 });
    }
    bump(core.counters.rest.byRoute, route.key);
    const reason = req.headers['x-audit-log-reason'];
    if (typeof reason === 'string') {
      let decoded = reason;
      try {
        decoded = decodeURIComponent(reason);
      } catch {
        // not URL-encoded: kept as sent
      }
      core.auditLog.push({ route: route.key, reason: decoded });
    }

    const spec = route.def.bucket(core, params);
    const override = core.options.restLimits[route.key] ?? {};
    const shared = spec.shared
      ? { limit: override.sharedLimit ?? spec.shared.limit, windowMs: override.sharedWindowMs ?? spec.shared.windowMs }
      : undefined;
    const decision = limiter.check(
      core.options.token,
      {
        ...spec,
        route: spec.variant ? `${route.key} ${spec.variant}` : route.key,
        limit: override.limit ?? spec.limit,
        windowMs: override.windowMs ?? spec.windowMs,
        ...(shared ? { shared } : {}),
      },
      params,
    );
    if (!decision.allowed) {
      core.counters.rest.ratelimited[decision.scope]++;
      // Discord docs, Rate Limits > Exceeding A Rate Limit: the body carries retry_after in seconds.
      const body = {
        message: 'You are being rate limited.',
        retry_after: Number(decision.retryAfter.toFixed(3)),
        global: decision.scope === 'global',
      };
      return reply(res, 429, body, decision.headers, decision.scope);
    }
    let parsed: Promise<ParsedBody> | undefined;
    const read = () => (parsed ??= readRequestBody(req));
    try {
      const query = new URL(req.url ?? '/', 'http://emulator').searchParams;
      const result = await route.def.handle({
        core,
        state,
        params,
        query,
        body: async () => (await read()).json,
        files: async () => (await read()).files,
      });
      if (result.status === 204) {
        res.writeHead(204, decision.headers);
        res.end();
        return;
      }
      reply(res, result.status, result.body, decision.headers);
    } catch (err) {
      if (err instanceof UploadError)
        return reply(res, err.status, { message: err.message, code: err.code }, decision.headers);
      if (err instanceof BodyError) {
        return reply(res, err.status, { message: err.message, code: err.status === 400 ? 50109 : 0 }, decision.headers);
      }
      throw err;
    }
  };
}
