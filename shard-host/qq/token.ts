// QQ access tokens for the host's gateway connections (开发准备 > 接口调用与鉴权 > 获取调用凭证):
// POST {QQ_TOKEN_URL} {appId, clientSecret} → {access_token, expires_in} (seconds, sent as a string).
// Within a token's last 60 s the endpoint hands out the next one while the old one stays valid, so the
// manager refreshes inside that window, on a timer, while the shards stay connected: a shard only needs a
// token when it identifies or resumes, and then finds a fresh one ready. A token the gateway refused
// (close 4004) is dropped and the next caller fetches a new one. Concurrent callers share one request.
import { EdgeshardError, ERROR_CODES } from '../../protocol/index.ts';
import type { QQAccessTokenResponse } from '../../protocol/qq.ts';
import { systemClock, type Clock, type Timer } from '../gateway/clock.ts';
import type { Logger } from '../log.ts';
import { httpFetch, type FetchLike } from '../net/http.ts';

/** QQ's window in which the endpoint issues the next token (the old one stays valid meanwhile). */
export const QQ_TOKEN_OVERLAP_MS = 60_000;
/** Refresh this long before expiry: inside the overlap window, with room for a slow request. */
const REFRESH_BEFORE_MS = 50_000;
/** After a failed refresh, try again this soon (the current token, if any, is still valid). */
const RETRY_MS = 5_000;

export interface QQTokenManagerOptions {
  url: string;
  appId: string;
  appSecret: string;
  logger: Logger;
  fetch?: FetchLike;
  clock?: Clock;
}

interface Current {
  token: string;
  expiresAt: number;
  /** When the background refresh fires. */
  refreshAt: number;
}

export class QQTokenManager {
  readonly #o: QQTokenManagerOptions;
  readonly #clock: Clock;
  readonly #fetch: FetchLike;
  #current: Current | null = null;
  #pending: Promise<string> | null = null;
  #timer: Timer | null = null;
  #running = false;
  readonly stats = { fetched: 0, refreshedInBackground: 0, rejected: 0, failures: 0 };

  constructor(options: QQTokenManagerOptions) {
    this.#o = options;
    this.#clock = options.clock ?? systemClock;
    this.#fetch = options.fetch ?? httpFetch;
  }

  /** Fetches the first token (so bad credentials fail at start-up) and keeps it fresh until stop(). */
  async start(): Promise<string> {
    this.#running = true;
    return this.get();
  }

  stop(): void {
    this.#running = false;
    this.#timer?.cancel();
    this.#timer = null;
  }

  /** A token valid now: the cached one, or a new one when it is missing or about to expire. */
  get(): Promise<string> {
    const c = this.#current;
    if (c && this.#clock.now() < c.refreshAt) return Promise.resolve(c.token);
    return this.#refresh();
  }

  /** The gateway refused the token (close 4004): the next get() fetches a new one. */
  invalidate(): void {
    this.stats.rejected++;
    this.#current = null;
  }

  /** Milliseconds the current token has left, or null when there is none. */
  remainingMs(): number | null {
    return this.#current ? this.#current.expiresAt - this.#clock.now() : null;
  }

  #refresh(): Promise<string> {
    this.#pending ??= this.#request().finally(() => (this.#pending = null));
    return this.#pending;
  }

  async #request(): Promise<string> {
    let res: { status: number; text(): Promise<string> };
    try {
      res = await this.#fetch(this.#o.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ appId: this.#o.appId, clientSecret: this.#o.appSecret }),
      });
    } catch (cause) {
      this.#failed();
      throw new EdgeshardError(
        ERROR_CODES.UPSTREAM_HTTP,
        `cannot reach the QQ token endpoint ${this.#o.url}: ${(cause as Error).message} — check QQ_TOKEN_URL and the network`,
        { cause },
      );
    }
    const text = await res.text();
    let json: Partial<QQAccessTokenResponse> & { message?: string; code?: number } = {};
    try {
      json = JSON.parse(text) as typeof json;
    } catch {
      // reported below
    }
    const expiresIn = Number(json.expires_in);
    if (res.status !== 200 || typeof json.access_token !== 'string' || !(expiresIn > 0)) {
      this.#failed();
      // Never echo the request: it carries the secret.
      throw new EdgeshardError(
        res.status === 401 || res.status === 400 ? ERROR_CODES.CONFIG_INVALID : ERROR_CODES.UPSTREAM_HTTP,
        `QQ token endpoint answered ${res.status}${json.message ? ` (${json.message})` : ''}: check QQ_APP_ID and QQ_APP_SECRET (QQ 开放平台 > 开发设置) and QQ_TOKEN_URL`,
      );
    }
    const now = this.#clock.now();
    const lifetime = expiresIn * 1000;
    const expiresAt = now + lifetime;
    // A short-lived token (the emulator's, in tests) refreshes at half its life.
    const refreshAt = expiresAt - Math.min(REFRESH_BEFORE_MS, lifetime / 2);
    const previous = this.#current?.token;
    this.#current = { token: json.access_token, expiresAt, refreshAt };
    this.stats.fetched++;
    this.#o.logger.info('QQ access token fetched', {
      expiresInS: expiresIn,
      renewed: previous !== undefined && previous !== json.access_token,
    });
    this.#schedule(refreshAt - now);
    return json.access_token;
  }

  #failed(): void {
    this.stats.failures++;
    if (this.#current) this.#schedule(RETRY_MS);
  }

  #schedule(ms: number): void {
    if (!this.#running) return;
    this.#timer?.cancel();
    this.#timer = this.#clock.setTimeout(
      () => {
        this.#timer = null;
        this.stats.refreshedInBackground++;
        this.#refresh().catch((err: unknown) => this.#o.logger.warn('QQ access token refresh failed', { error: err }));
      },
      Math.max(0, ms),
    );
  }
}
