// The REST client handlers use. Every call goes through the REST proxy Durable Object, which holds the
// rate-limit state for the bot. It has two faces:
// - `get/post/put/patch/delete(route, options)`: the request shape of @discordjs/rest, so @discordjs/core's
//   typed `API` (every route, grouped: ctx.api.channels.createMessage(...)) runs on it unchanged;
// - the few typed shortcuts the examples use (createMessage, ...) and `request(method, path, body)`.
// The proxy's refusals become typed errors (RateLimitedError with the wait, TOKEN_REJECTED); Discord's own
// become DiscordApiError with Discord's JSON error code.
import type {
  APIMessage,
  RESTPatchAPIChannelMessageJSONBody,
  RESTPostAPIChannelMessageJSONBody,
} from 'discord-api-types/v10';
import { EdgeshardError, ERROR_CODES, RateLimitedError } from '../../protocol/index.ts';
import { DiscordApiError } from './errors.ts';
import { REFUSAL_HEADER, type RefusalCode, type RestFile, type RestRequest, type RestResponse } from './types.ts';

export interface RestTransport {
  request(req: RestRequest): Promise<RestResponse>;
}

/** A file to upload, as @discordjs/rest takes it (Discord docs, Reference > Uploading Files). */
export interface RawFile {
  name: string;
  /** Form field; `files[n]` (n = its index) when absent. */
  key?: string;
  contentType?: string;
  data: Uint8Array | ArrayBuffer | string | number | boolean;
}

/** The options @discordjs/core passes (a subset of @discordjs/rest's RequestData), plus ours. */
export interface RequestOptions {
  body?: unknown;
  files?: readonly RawFile[] | undefined;
  query?: URLSearchParams | undefined;
  /** Sent as X-Audit-Log-Reason (URI-encoded, as Discord expects non-ASCII there). */
  reason?: string | undefined;
  headers?: Record<string, string>;
  /** With files: the body's fields become form fields instead of payload_json (Create Guild Sticker). */
  appendToFormData?: boolean;
  /** Send `body` as it is (a string or bytes), not as JSON. */
  passThroughBody?: boolean;
  /** Accepted for @discordjs/core's sake; the REST proxy decides from the route whether the bot token goes. */
  auth?: unknown;
  signal?: AbortSignal | undefined;
  /** Refuse at once (RateLimitedError) rather than wait longer than this for the rate limits. */
  maxWaitMs?: number;
}

/** Options of the shortcut methods and `request`. */
export type CallOptions = Pick<RequestOptions, 'maxWaitMs' | 'headers' | 'reason' | 'files'>;

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
      return new DiscordApiError(what.split(' ')[0]!, what.slice(what.indexOf(' ') + 1), 404, res.body);
  }
}

const encoder = new TextEncoder();

function fileBytes(data: RawFile['data']): Uint8Array {
  if (data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return encoder.encode(String(data));
}

function toRestFiles(files: readonly RawFile[]): RestFile[] {
  return files.map((f, i) => ({
    field: f.key ?? `files[${i}]`,
    filename: f.name,
    bytes: fileBytes(f.data),
    ...(f.contentType ? { contentType: f.contentType } : {}),
  }));
}

function bodyText(options: RequestOptions): string | ArrayBuffer | undefined {
  const { body } = options;
  if (body === undefined) return undefined;
  if (options.passThroughBody && (typeof body === 'string' || body instanceof ArrayBuffer)) return body;
  return JSON.stringify(body);
}

/** Where a failed call is logged: the handler's logger, whose lines carry the event id. */
export interface RestLog {
  warn(msg: string, fields?: Record<string, unknown>): void;
}

export class DiscordRest {
  readonly #transport: RestTransport;
  readonly #log: RestLog | undefined;
  readonly #eventId: string | undefined;
  /** `log` and `eventId`: the handler's logger and event, for the lines and data points of its calls. */
  constructor(transport: RestTransport, log?: RestLog, eventId?: string) {
    this.#transport = transport;
    this.#log = log;
    this.#eventId = eventId;
  }

  /** One call, in @discordjs/rest's shape: `route` is a path under /api/v10 (discord-api-types' Routes). */
  async send(method: string, route: string, options: RequestOptions = {}): Promise<unknown> {
    options.signal?.throwIfAborted();
    const query = options.query?.toString();
    const path = query ? `${route}?${query}` : route;
    const headers: Record<string, string> = { ...options.headers };
    if (options.reason) headers['x-audit-log-reason'] = encodeURIComponent(options.reason);
    const files = options.files?.length ? toRestFiles(options.files) : undefined;
    const form =
      files && options.appendToFormData && options.body && typeof options.body === 'object'
        ? Object.fromEntries(
            Object.entries(options.body as Record<string, unknown>).map(([k, v]) => [
              k,
              typeof v === 'string' ? v : JSON.stringify(v),
            ]),
          )
        : undefined;
    const body = form ? undefined : bodyText(options);
    const res = await this.#transport.request({
      method,
      path,
      ...(body === undefined ? {} : { body }),
      ...(files ? { files } : {}),
      ...(form ? { form } : {}),
      ...(Object.keys(headers).length > 0 ? { headers } : {}),
      ...(options.maxWaitMs === undefined ? {} : { maxWaitMs: options.maxWaitMs }),
      ...(this.#eventId === undefined ? {} : { eventId: this.#eventId }),
    });
    if (res.status < 200 || res.status >= 300) {
      const refusal = res.headers[REFUSAL_HEADER] as RefusalCode | undefined;
      const err = refusal
        ? refusalError(refusal, res, `${method} ${path}`)
        : new DiscordApiError(method, path, res.status, res.body);
      // Paths carry ids and webhook tokens; log the route only.
      this.#log?.warn('discord call failed', {
        method,
        route: route.replace(/\/(webhooks|interactions)\/(\d+)\/[^/?]+/, '/$1/$2/:token'),
        status: res.status,
        code: err.code,
        ...(err instanceof DiscordApiError ? { discordCode: err.discordCode } : {}),
      });
      throw err;
    }
    return res.status === 204 || res.body === '' ? undefined : (JSON.parse(res.body) as unknown);
  }

  get(route: string, options?: RequestOptions): Promise<unknown> {
    return this.send('GET', route, options);
  }
  post(route: string, options?: RequestOptions): Promise<unknown> {
    return this.send('POST', route, options);
  }
  put(route: string, options?: RequestOptions): Promise<unknown> {
    return this.send('PUT', route, options);
  }
  patch(route: string, options?: RequestOptions): Promise<unknown> {
    return this.send('PATCH', route, options);
  }
  delete(route: string, options?: RequestOptions): Promise<unknown> {
    return this.send('DELETE', route, options);
  }

  /** Any route with a JSON body; prefer the typed `ctx.api` groups, which cover every route. */
  async request<T>(method: string, path: string, body?: unknown, options: CallOptions = {}): Promise<T> {
    return (await this.send(method, path, { ...options, ...(body === undefined ? {} : { body }) })) as T;
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
