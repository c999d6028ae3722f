// The REST proxy for QQ's OpenAPI: the same job as proxy.ts does for Discord — one instance per bot holds
// the limits — with QQ's rules: the access token lives here (fetched with QQ_APP_ID / QQ_APP_SECRET, never
// in a handler), `Authorization: QQBot {token}`, QQ's frequency limits as data (qq-limits.ts), a token QQ
// calls expired (401 / 11244) replaced once, frequency-limit answers backed off and sent again, idempotent
// methods retried after a 5xx (retry.ts), the codes QQ says to retry once retried once, and the
// invalid-request guard counting 401/403/429 answers. Answers keep QQ's status and body.
import { QQ_API_URL, QQ_SANDBOX_API_URL, QQ_TOKEN_URL } from '../../protocol/qq.ts';
import { isQQRateLimit, qqErrorRow } from '../qq/errors.ts';
import { QQTokenSource } from '../qq/token.ts';
import { egressTransport } from '../qq/transport.ts';
import type { Egress } from './egress.ts';
import { InvalidRequestGuard } from './guard.ts';
import { QQRateLimiter } from './qq-limiter.ts';
import { retryServerError, serverErrorBackoffMs } from './retry.ts';
import { REFUSAL_HEADER, type Refusal, type RestRequest, type RestResponse } from './types.ts';

/** Back-off after a frequency-limit answer when QQ names no Retry-After. */
const RATE_PAUSE_MS = 1_000;
const MAX_RATE_RETRIES = 3;
const PASSED_HEADERS = ['content-type', 'x-tps-trace-id', 'retry-after'];

export interface QQProxyOptions {
  apiUrl: string;
  tokenUrl: string;
  appId: string;
  appSecret: string;
  egress: Egress;
  invalidRequestLimit?: number;
  limiter?: QQRateLimiter;
  sleep?: (ms: number) => Promise<void>;
}

export interface QQProxyStats {
  requests: number;
  rateLimited: number;
  retried: number;
  tokenRefreshes: number;
  refused: Record<Refusal['code'], number>;
}

/** QQ settings from the Worker's environment; QQ_SANDBOX=on switches the default API base to the sandbox. */
export function qqApiUrl(env: { QQ_API_URL?: string | undefined; QQ_SANDBOX?: string | undefined }): string {
  return (env.QQ_API_URL ?? (env.QQ_SANDBOX === 'on' ? QQ_SANDBOX_API_URL : QQ_API_URL)).replace(/\/$/, '');
}
export const qqTokenUrl = (env: { QQ_TOKEN_URL?: string | undefined }): string => env.QQ_TOKEN_URL ?? QQ_TOKEN_URL;

interface Parsed {
  code?: number;
  err_code?: number;
  message?: string;
}

function parse(body: string): Parsed | undefined {
  try {
    const v = JSON.parse(body) as unknown;
    return typeof v === 'object' && v !== null ? (v as Parsed) : undefined;
  } catch {
    return undefined;
  }
}

export class QQProxyCore {
  readonly #o: QQProxyOptions;
  readonly #tokens: QQTokenSource;
  readonly #limiter: QQRateLimiter;
  readonly #guard: InvalidRequestGuard;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly stats: QQProxyStats = {
    requests: 0,
    rateLimited: 0,
    retried: 0,
    tokenRefreshes: 0,
    refused: { rate_limited: 0, invalid_request_guard: 0, token_rejected: 0, webhook_gone: 0 },
  };

  constructor(options: QQProxyOptions) {
    this.#o = { ...options, apiUrl: options.apiUrl.replace(/\/$/, '') };
    this.#tokens = new QQTokenSource({
      url: options.tokenUrl,
      appId: options.appId,
      appSecret: options.appSecret,
      transport: egressTransport(options.egress),
      // Through a host's relay the request names the app only: the host adds its own QQ_APP_SECRET, so the
      // secret (also the seed of QQ's callback signatures) never crosses the relay.
      credentialsOnHost: options.egress.kind === 'relay',
    });
    this.#limiter = options.limiter ?? new QQRateLimiter();
    this.#guard = new InvalidRequestGuard(options.invalidRequestLimit ?? 2500);
    this.#sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  async request(req: RestRequest): Promise<RestResponse> {
    const method = req.method.toUpperCase();
    if (req.maxWaitMs !== undefined) {
      const predicted = this.#limiter.predictMs(method, req.path);
      if (predicted > req.maxWaitMs) {
        return this.#refuse({
          code: 'rate_limited',
          retryAfterMs: Math.ceil(predicted),
          message: `rate limited: QQ's frequency limit needs a wait of ${Math.ceil(predicted)} ms, longer than the caller's limit of ${req.maxWaitMs} ms`,
        });
      }
    }
    let rateRetries = 0;
    let serverRetries = 0;
    let retriedOnce = false;
    let refreshed = false;
    for (;;) {
      const refusal = this.#guard.check(Date.now(), { usesBotToken: false, webhook: undefined });
      if (refusal) {
        return this.#refuse({
          ...refusal,
          message: `edgeshard refused to call QQ: too many 401/403/429 answers in the last 10 minutes (threshold EDGESHARD_INVALID_REQUEST_LIMIT=${this.#guard.threshold}). Fix the failing calls — see the Worker logs`,
        });
      }
      const answered = await this.#limiter.acquire(method, req.path);
      let res: RestResponse;
      try {
        res = await this.#send(method, req);
      } finally {
        answered();
      }
      const body = parse(res.body);
      const code = body?.code ?? body?.err_code;
      // The guard counts refusals; a token QQ calls expired is ours to replace, not the caller's fault.
      this.#guard.answered(Date.now(), res.status, {
        scope: null,
        usesBotToken: false,
        webhook: undefined,
        code: undefined,
      });
      if ((res.status === 401 || code === 11244) && !refreshed) {
        refreshed = true;
        this.stats.tokenRefreshes++;
        this.#tokens.invalidate();
        continue;
      }
      if (isQQRateLimit(res.status, code) && rateRetries < MAX_RATE_RETRIES) {
        rateRetries++;
        this.stats.rateLimited++;
        const after = Number(res.headers['retry-after']);
        const wait = after > 0 ? after * 1000 : RATE_PAUSE_MS;
        this.#limiter.pause(method, req.path, wait);
        continue;
      }
      if (retryServerError(method, res.status, serverRetries)) {
        this.stats.retried++;
        await this.#sleep(serverErrorBackoffMs(serverRetries++));
        continue;
      }
      if (qqErrorRow(code)?.retry && !retriedOnce) {
        retriedOnce = true;
        this.stats.retried++;
        continue;
      }
      return res;
    }
  }

  async #send(method: string, req: RestRequest): Promise<RestResponse> {
    this.stats.requests++;
    const token = await this.#tokens.get();
    const headers: Record<string, string> = {
      authorization: `QQBot ${token}`,
      'x-union-appid': this.#o.appId,
    };
    if (req.body !== undefined) headers['content-type'] = req.headers?.['content-type'] ?? 'application/json';
    const res = await this.#o.egress.send({
      method,
      url: this.#o.apiUrl + req.path,
      headers,
      botAuth: false,
      ...(req.body === undefined ? {} : { body: req.body }),
    });
    const passed: Record<string, string> = {};
    for (const name of PASSED_HEADERS) {
      const v = res.headers[name];
      if (v !== undefined) passed[name] = v;
    }
    return { status: res.status, headers: passed, body: res.body };
  }

  #refuse(refusal: Refusal): RestResponse {
    this.stats.refused[refusal.code]++;
    const retryAfter = refusal.retryAfterMs === undefined ? undefined : refusal.retryAfterMs / 1000;
    return {
      status: refusal.code === 'token_rejected' ? 401 : 429,
      headers: {
        'content-type': 'application/json',
        [REFUSAL_HEADER]: refusal.code,
        ...(retryAfter === undefined ? {} : { 'retry-after': String(Math.max(1, Math.ceil(retryAfter))) }),
      },
      body: JSON.stringify({
        code: 0,
        message: refusal.message,
        edgeshard: refusal.code,
        ...(retryAfter === undefined ? {} : { retry_after: Number(retryAfter.toFixed(3)) }),
      }),
    };
  }
}
