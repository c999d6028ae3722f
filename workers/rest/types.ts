/**
 * One file of a multipart upload, as plain data so it crosses the Durable Object RPC boundary (structured
 * clone keeps Uint8Array). Discord docs, Reference > Uploading Files: the field is `files[n]`.
 */
export interface RestFile {
  /** Form field name; `files[n]` for attachments. */
  field: string;
  filename: string;
  contentType?: string;
  bytes: Uint8Array;
}

/** A platform API call as the REST proxy takes it: path is relative to DISCORD_API_URL (or QQ's API base). */
export interface RestRequest {
  /** Which platform's API; Discord when absent. */
  platform?: 'discord' | 'qq';
  method: string;
  path: string;
  /** JSON text; with `files`, it becomes the `payload_json` field of the multipart body. */
  body?: string | ArrayBuffer;
  /** With files the proxy sends multipart/form-data (built once, so a retry resends the same bytes). */
  files?: RestFile[];
  /** Extra form fields sent as-is instead of payload_json (e.g. Create Guild Sticker's name and tags). */
  form?: Record<string, string>;
  headers?: Record<string, string>;
  /**
   * The longest the caller is willing to wait for the rate limits. When the predicted wait is longer, the
   * proxy answers at once with its own 429 (`x-edgeshard-error: rate_limited`) carrying the wait.
   */
  maxWaitMs?: number;
  /** The event whose handler made the call, so Analytics Engine can follow one event into its REST calls. */
  eventId?: string;
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
