// REST proxy: one instance per bot token holds every rate-limit bucket, so concurrent handlers in many
// isolates share one view of Discord's limits.
import { DurableObject } from 'cloudflare:workers';
import { EdgeshardError, ERROR_CODES } from '../../protocol/index.ts';
import type { Env } from '../env.ts';
import { RateLimiter, type LimiterStats } from '../rest/limiter.ts';
import { routeKey } from '../rest/routes.ts';
import type { RestRequest, RestResponse } from '../rest/types.ts';

const PASSED_HEADERS = ['content-type', 'x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset', 'x-ratelimit-reset-after', 'x-ratelimit-bucket', 'x-ratelimit-scope', 'retry-after'];

export class RestProxy extends DurableObject<Env> {
  readonly #limiter = new RateLimiter({ globalPerSecond: 50 });

  async request(req: RestRequest): Promise<RestResponse> {
    const token = this.env.DISCORD_TOKEN;
    if (!token) throw new EdgeshardError(ERROR_CODES.CONFIG_INVALID, 'DISCORD_TOKEN is not set for the Worker: run `wrangler secret put DISCORD_TOKEN` (or add it to .dev.vars)');
    const url = this.env.DISCORD_API_URL.replace(/\/$/, '') + req.path;
    const res = await this.#limiter.schedule(routeKey(req.method, req.path), req.path, () =>
      fetch(url, {
        method: req.method,
        headers: { ...req.headers, authorization: `Bot ${token}`, ...(req.body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(req.body === undefined ? {} : { body: req.body }),
      }).then(async (r) => ({ status: r.status, headers: r.headers, header: (name: string) => r.headers.get(name), body: await r.text() })),
    );
    const headers: Record<string, string> = {};
    for (const name of PASSED_HEADERS) {
      const value = res.headers.get(name);
      if (value !== null) headers[name] = value;
    }
    return { status: res.status, headers, body: res.body };
  }

  stats(): LimiterStats {
    return this.#limiter.stats;
  }
}
