// QQ OpenAPI access tokens (开发准备 > 接口调用与鉴权): POST {appId, clientSecret} to the token endpoint;
// a token lives `expires_in` seconds (7200), and within its last 60 s the endpoint hands out the next one
// while the old one stays valid. So: cache per isolate, refresh once less than 60 s remain, and let
// concurrent callers share one refresh. Through the egress relay (`credentialsOnHost`), the request names
// only the app: the host adds its own QQ_APP_SECRET, so the secret never crosses the relay (issue 11).
import { EdgeshardError, ERROR_CODES } from '../../protocol/index.ts';
import type { QQAccessTokenRequest, QQAccessTokenResponse } from '../../protocol/qq.ts';
import type { QQTransport } from './transport.ts';

const REFRESH_BEFORE_MS = 60_000;

interface Cached {
  token: string;
  expiresAt: number;
}

export class QQTokenSource {
  readonly #url: string;
  readonly #credentials: QQAccessTokenRequest | { appId: string };
  readonly #onHost: boolean;
  readonly #transport: QQTransport;
  readonly #now: () => number;
  #cached: Cached | undefined;
  #pending: Promise<string> | undefined;

  constructor(opts: {
    url: string;
    appId: string;
    appSecret: string;
    transport: QQTransport;
    now?: () => number;
    credentialsOnHost?: boolean;
  }) {
    this.#url = opts.url;
    this.#onHost = opts.credentialsOnHost ?? false;
    this.#credentials = this.#onHost ? { appId: opts.appId } : { appId: opts.appId, clientSecret: opts.appSecret };
    this.#transport = opts.transport;
    this.#now = opts.now ?? Date.now;
  }

  get(): Promise<string> {
    if (this.#cached && this.#cached.expiresAt - REFRESH_BEFORE_MS > this.#now())
      return Promise.resolve(this.#cached.token);
    this.#pending ??= this.#fetch().finally(() => (this.#pending = undefined));
    return this.#pending;
  }

  /** Forgets the cached token (after QQ refused it). */
  invalidate(): void {
    this.#cached = undefined;
  }

  async #fetch(): Promise<string> {
    const res = await this.#transport(this.#url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(this.#credentials),
      ...(this.#onHost ? { qqCredentials: true } : {}),
    });
    const text = await res.text();
    let json: Partial<QQAccessTokenResponse> & { message?: string } = {};
    try {
      json = JSON.parse(text) as typeof json;
    } catch {
      // handled below
    }
    const expiresIn = Number(json.expires_in);
    if (res.status !== 200 || typeof json.access_token !== 'string' || !Number.isFinite(expiresIn)) {
      // Never echo the request: it carries the secret.
      throw new EdgeshardError(
        ERROR_CODES.UPSTREAM_HTTP,
        `QQ access token request answered ${res.status}${json.message ? ` (${json.message})` : ''}: check QQ_APP_ID / QQ_APP_SECRET and QQ_TOKEN_URL`,
      );
    }
    this.#cached = { token: json.access_token, expiresAt: this.#now() + expiresIn * 1000 };
    return json.access_token;
  }
}
