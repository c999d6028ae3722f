// The typed REST client handlers use. Every call goes through the REST proxy Durable Object, which holds
// the rate-limit state for the bot. The proxy's own refusals become typed errors: RateLimitedError (with the
// wait) when the caller's maxWaitMs is too short or the invalid-request guard sheds load, TOKEN_REJECTED when
// Discord refused the bot token.
import type {
  APIMessage,
  RESTPatchAPIChannelMessageJSONBody,
  RESTPostAPIChannelMessageJSONBody,
} from 'discord-api-types/v10';
import { EdgeshardError, ERROR_CODES, RateLimitedError } from '../../protocol/index.ts';
import { REFUSAL_HEADER, type RefusalCode, type RestRequest, type RestResponse } from './types.ts';

export interface RestTransport {
  request(req: RestRequest): Promise<RestResponse>;
}

export interface CallOptions {
  /** Refuse at once (RateLimitedError) rather than wait longer than this for the rate limits. */
  maxWaitMs?: number;
  /** X-Audit-Log-Reason and the like. */
  headers?: Record<string, string>;
}

function refusalError(code: RefusalCode, res: RestResponse, what: string): EdgeshardError {
  let message = `${what} refused by the REST proxy`;
  let retryAfterMs = 0;
  try {
    const body = JSON.parse(res.body) as { message?: string; retry_after?: number };
    message = body.message ?? message;
    retryAfterMs = Math.ceil((body.retry_after ?? 0) * 1000);
  } catch {
    // keep the generic message
  }
  switch (code) {
    case 'rate_limited':
      return new RateLimitedError(ERROR_CODES.RATE_LIMITED, `${what}: ${message}`, retryAfterMs);
    case 'invalid_request_guard':
      return new RateLimitedError(ERROR_CODES.INVALID_REQUEST_GUARD, `${what}: ${message}`, retryAfterMs);
    case 'token_rejected':
      return new EdgeshardError(ERROR_CODES.TOKEN_REJECTED, `${what}: ${message}`);
    case 'webhook_gone':
      return new EdgeshardError(ERROR_CODES.UPSTREAM_HTTP, `${what}: ${message}`);
  }
}

export class DiscordRest {
  readonly #transport: RestTransport;
  constructor(transport: RestTransport) {
    this.#transport = transport;
  }

  async request<T>(method: string, path: string, body?: unknown, options: CallOptions = {}): Promise<T> {
    const res = await this.#transport.request({
      method,
      path,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      ...(options.headers ? { headers: options.headers } : {}),
      ...(options.maxWaitMs === undefined ? {} : { maxWaitMs: options.maxWaitMs }),
    });
    if (res.status < 200 || res.status >= 300) {
      const refusal = res.headers[REFUSAL_HEADER] as RefusalCode | undefined;
      if (refusal) throw refusalError(refusal, res, `${method} ${path}`);
      throw new EdgeshardError(
        ERROR_CODES.UPSTREAM_HTTP,
        `Discord answered ${res.status} to ${method} ${path}: ${res.body.slice(0, 300)}`,
      );
    }
    return (res.status === 204 || res.body === '' ? undefined : JSON.parse(res.body)) as T;
  }

  createMessage(
    channelId: string,
    body: RESTPostAPIChannelMessageJSONBody,
    options?: CallOptions,
  ): Promise<APIMessage> {
    return this.request<APIMessage>('POST', `/channels/${channelId}/messages`, body, options);
  }

  editMessage(
    channelId: string,
    messageId: string,
    body: RESTPatchAPIChannelMessageJSONBody,
    options?: CallOptions,
  ): Promise<APIMessage> {
    return this.request<APIMessage>('PATCH', `/channels/${channelId}/messages/${messageId}`, body, options);
  }

  deleteMessage(channelId: string, messageId: string, options?: CallOptions): Promise<void> {
    return this.request<void>('DELETE', `/channels/${channelId}/messages/${messageId}`, undefined, options);
  }

  /** `emoji` is a unicode emoji or `name:id` for a custom one. */
  addReaction(channelId: string, messageId: string, emoji: string, options?: CallOptions): Promise<void> {
    return this.request<void>(
      'PUT',
      `/channels/${channelId}/messages/${messageId}/reactions/${encodeURIComponent(emoji)}/@me`,
      undefined,
      options,
    );
  }
}
