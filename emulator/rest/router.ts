// Serves /api/v10: authentication, route matching, rate limiting, then the route's handler.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EmulatorCore } from '../core.ts';
import { bump } from '../counters.ts';
import { BodyError, compileTemplate, readJson, sendJson } from '../http.ts';
import { RateLimiter } from './ratelimit.ts';
import { ROUTES, type RouteDef } from './routes.ts';

export const API_PREFIX = '/api/v10';

interface CompiledRoute {
  def: RouteDef;
  key: string;
  match: (path: string) => Record<string, string> | undefined;
}

export function createRestHandler(core: EmulatorCore, routes: RouteDef[] = ROUTES) {
  const limiter = new RateLimiter(core.options.globalLimit);
  const compiled: CompiledRoute[] = routes.map((def) => ({ def, key: `${def.method} ${def.path}`, match: compileTemplate(def.path) }));

  return async (req: IncomingMessage, res: ServerResponse, path: string): Promise<void> => {
    core.counters.rest.requests++;
    const auth = req.headers.authorization;
    if (auth !== `Bot ${core.options.token}`) return sendJson(res, 401, { message: '401: Unauthorized', code: 0 });

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
    if (!route || !params) {
      if (pathMatched) return sendJson(res, 405, { message: '405: Method Not Allowed', code: 0 });
      return sendJson(res, 404, { message: '404: Not Found', code: 0 });
    }
    bump(core.counters.rest.byRoute, route.key);

    const decision = limiter.check(core.options.token, { route: route.key, ...route.def.bucket(core) }, params);
    if (!decision.allowed) {
      core.counters.rest.ratelimited[decision.scope]++;
      // Discord docs, Rate Limits > Exceeding A Rate Limit: the body carries retry_after in seconds.
      return sendJson(res, 429, { message: 'You are being rate limited.', retry_after: Number(decision.retryAfter.toFixed(3)), global: decision.scope === 'global' }, decision.headers);
    }
    let cachedBody: Promise<unknown> | undefined;
    try {
      const result = await route.def.handle({ core, params, body: () => (cachedBody ??= readJson(req)) });
      sendJson(res, result.status, result.body, decision.headers);
    } catch (err) {
      if (err instanceof BodyError) {
        return sendJson(res, err.status, { message: err.message, code: err.status === 400 ? 50109 : 0 }, decision.headers);
      }
      throw err;
    }
  };
}
