// The REST proxy without the Durable Object around it: takes a Discord-shaped request, waits for the rate
// limits, calls Discord through the egress, and answers Discord-shaped — its own refusals included, so
// @discordjs/rest and other clients understand them (a 429 with retry_after, a 401, a 404).
import type { Egress } from './egress.ts';
import { RateLimiter, type LimiterOptions, type LimiterStats } from './limiter.ts';
import { routeKey, usesBotToken } from './routes.ts';
import { multipartBody } from './multipart.ts';
import { REFUSAL_HEADER, type Refusal, type RestRequest, type RestResponse } from './types.ts';

/** Response headers a client's own limiter needs, passed through as Discord sent them. */
const PASSED_HEADERS = [
  'content-type',
  'x-ratelimit-limit',
  'x-ratelimit-remaining',
  'x-ratelimit-reset',
  'x-ratelimit-reset-after',
  'x-ratelimit-bucket',
  'x-ratelimit-scope',
  'x-ratelimit-global',
  'retry-after',
  'x-audit-log-reason',
];
/** Request headers a caller may set; authorization is always ours. */
const FORWARDED_HEADERS = ['content-type', 'x-audit-log-reason', 'user-agent'];

const REFUSAL_STATUS: Record<Refusal['code'], number> = {
  rate_limited: 429,
  invalid_request_guard: 429,
  token_rejected: 401,
  webhook_gone: 404,
};

export function refusalResponse(refusal: Refusal): RestResponse {
  const retryAfter = refusal.retryAfterMs === undefined ? undefined : refusal.retryAfterMs / 1000;
  const headers: Record<string, string> = { 'content-type': 'application/json', [REFUSAL_HEADER]: refusal.code };
  let body: Record<string, unknown> = { message: refusal.message, code: 0, edgeshard: refusal.code };
  if (retryAfter !== undefined) {
    // Shaped like Discord's own 429 (Topics > Rate Limits > Exceeding A Rate Limit), scope user: the wait
    // is about this request only, so clients pause one bucket, not all of them.
    headers['retry-after'] = String(Math.max(1, Math.ceil(retryAfter)));
    headers['x-ratelimit-scope'] = 'user';
    body = { ...body, retry_after: Number(retryAfter.toFixed(3)), global: false };
  }
  if (refusal.code === 'webhook_gone') body.code = 10015;
  return { status: REFUSAL_STATUS[refusal.code], headers, body: JSON.stringify(body) };
}

/** What stats() answers: the limiter's counters, the waits, the guard, and where calls leave from. */
export type ProxyStats = LimiterStats & {
  waits: WaitStats;
  guard: { invalidRequests: number; threshold: number };
  egress: Egress['kind'];
};

/** One finished request, for Analytics Engine (observability/analytics.ts). */
export interface RequestObservation {
  method: string;
  /** Route template, e.g. `POST /channels/:id/messages`. */
  route: string;
  /** HTTP status of the answer, or the proxy's refusal code. */
  result: string;
  /** x-ratelimit-scope of a 429 answer, '' otherwise. */
  scope: string;
  waitMs: number;
  queued: number;
  invalid: number;
  /** The event whose handler made the call ('' for /api/v10 callers). */
  eventId: string;
}

export interface ProxyOptions extends LimiterOptions {
  apiUrl: string;
  egress: Egress;
  observe?: (observation: RequestObservation) => void;
}

/** Time requests spent waiting for the rate limits before their first send. */
export interface WaitStats {
  /** Requests that waited at all (more than 1 ms). */
  waited: number;
  totalMs: number;
  maxMs: number;
}

export class RestProxyCore {
  readonly limiter: RateLimiter;
  readonly waits: WaitStats = { waited: 0, totalMs: 0, maxMs: 0 };
  readonly #apiUrl: string;
  readonly #egress: Egress;
  readonly #observe: ((observation: RequestObservation) => void) | undefined;

  constructor(options: ProxyOptions) {
    this.limiter = new RateLimiter(options);
    this.#observe = options.observe;
    this.#apiUrl = options.apiUrl.replace(/\/$/, '');
    this.#egress = options.egress;
  }

  async request(req: RestRequest): Promise<RestResponse> {
    const method = req.method.toUpperCase();
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers ?? {})) {
      if (FORWARDED_HEADERS.includes(name.toLowerCase())) headers[name.toLowerCase()] = value;
    }
    let body = req.body;
    if (req.files?.length || req.form) {
      // Built once: a retry after a 429 or a 5xx resends the same bytes.
      const multipart = await multipartBody(req);
      body = multipart.body;
      headers['content-type'] = multipart.contentType;
    } else if (body !== undefined && headers['content-type'] === undefined)
      headers['content-type'] = 'application/json';
    const botAuth = usesBotToken(req.path);
    const queuedAt = Date.now();
    let waitMs = 0;
    let first = true;
    const send = async () => {
      if (first) {
        first = false;
        waitMs = Date.now() - queuedAt;
        this.#recordWait(waitMs);
      }
      const res = await this.#egress.send({
        method,
        url: this.#apiUrl + req.path,
        headers,
        botAuth,
        ...(body === undefined ? {} : { body }),
      });
      return { ...res, header: (name: string) => res.headers[name] ?? null };
    };
    const outcome = await this.limiter.schedule(
      method,
      req.path,
      send,
      req.maxWaitMs === undefined ? {} : { maxWaitMs: req.maxWaitMs },
    );
    const observe = (result: string, scope: string) =>
      this.#observe?.({
        method,
        route: routeKey(method, req.path).route,
        result,
        scope,
        waitMs,
        queued: this.limiter.stats.queued,
        invalid: this.limiter.guard.count(Date.now()),
        eventId: req.eventId ?? '',
      });
    if (outcome.kind === 'refused') {
      observe(outcome.refusal.code, '');
      return refusalResponse(outcome.refusal);
    }
    const res = outcome.response;
    observe(String(res.status), res.status === 429 ? (res.header('x-ratelimit-scope') ?? 'user') : '');
    const passed: Record<string, string> = {};
    for (const name of PASSED_HEADERS) {
      const value = res.header(name);
      if (value !== null) passed[name] = value;
    }
    return { status: res.status, headers: passed, body: res.body };
  }

  #recordWait(ms: number): void {
    if (ms <= 1) return;
    this.waits.waited++;
    this.waits.totalMs += ms;
    this.waits.maxMs = Math.max(this.waits.maxMs, ms);
  }

  stats(): ProxyStats {
    const now = Date.now();
    return {
      ...structuredClone(this.limiter.stats),
      waits: { ...this.waits },
      guard: { invalidRequests: this.limiter.guard.count(now), threshold: this.limiter.guard.threshold },
      egress: this.#egress.kind,
    };
  }
}
