/** A platform API call as the REST proxy takes it: path is relative to DISCORD_API_URL (or QQ's API base). */
export interface RestRequest {
  /** Which platform's API; Discord when absent. */
  platform?: 'discord' | 'qq';
  method: string;
  path: string;
  body?: string | ArrayBuffer;
  headers?: Record<string, string>;
  /**
   * The longest the caller is willing to wait for the rate limits. When the predicted wait is longer, the
   * proxy answers at once with its own 429 (`x-edgeshard-error: rate_limited`) carrying the wait.
   */
  maxWaitMs?: number;
}

export interface RestResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Why the proxy answered itself instead of calling the platform. */
export type RefusalCode = 'rate_limited' | 'invalid_request_guard' | 'token_rejected' | 'webhook_gone';

export interface Refusal {
  code: RefusalCode;
  message: string;
  retryAfterMs?: number;
}

/** Header on every response the proxy made up itself, naming the refusal code. */
export const REFUSAL_HEADER = 'x-edgeshard-error';

/** What the limiter made of a request: the platform's response, or its own refusal. */
export type Outcome<R> = { kind: 'response'; response: R } | { kind: 'refused'; refusal: Refusal };
