// The egress relay's wire format: the Worker asks a shard host to make an HTTP call to a platform API for it,
// so the call leaves from the host's fixed IP (QQ's OpenAPI only accepts whitelisted IPs). Both directions
// are JSON signed like event batches (HMAC-SHA256 with EDGESHARD_SECRET over `timestamp.body`, see
// signing.ts); the request carries a random id the host remembers for the replay window, and the response
// repeats it, so neither can be replayed or swapped. Bodies are base64 so binary uploads pass unchanged.

export const EGRESS_VERSION = 1;
export const EGRESS_PATH = '/egress';
/** Largest signed request envelope the host accepts (a 25 MiB upload, base64-encoded, plus headers). */
export const EGRESS_MAX_REQUEST_BYTES = 36 * 1024 * 1024;
/** Largest upstream response body the host relays. */
export const EGRESS_MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

export interface EgressRequest {
  v: typeof EGRESS_VERSION;
  /** Random, unique per request: the host refuses an id it has seen within the replay window. */
  id: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  /** base64 */
  body?: string;
  /**
   * The host adds `Authorization: Bot <its DISCORD_TOKEN>` itself, so the bot token never travels between
   * the Worker and the host. Only for the Discord API host. `qq-app`: the host sends its own
   * `{appId, clientSecret}` (QQ_APP_ID / QQ_APP_SECRET) as the body of the QQ access-token request, so the
   * AppSecret, which is also the seed of QQ's callback signatures, never crosses the relay.
   */
  inject?: 'discord-bot' | 'qq-app';
}

export interface EgressResponse {
  v: typeof EGRESS_VERSION;
  id: string;
  status: number;
  headers: Record<string, string>;
  /** base64 */
  body: string;
}

export function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

export function fromBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

/** Canonical base64 (what atob accepts without a doubt): groups of four, padding only at the end. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function stringHeaders(value: unknown): Record<string, string> | string {
  if (!isRecord(value)) return 'headers must be an object';
  for (const v of Object.values(value)) if (typeof v !== 'string') return 'header values must be strings';
  return value as Record<string, string>;
}

/** Validates a decoded request envelope (on the host); a string is the reason it is refused (a 400). */
export function parseEgressRequest(value: unknown): EgressRequest | string {
  if (!isRecord(value)) return 'body must be a JSON object';
  const e = value;
  if (e.v !== EGRESS_VERSION)
    return `unsupported egress version ${String(e.v).slice(0, 20)} (this host speaks ${EGRESS_VERSION}): update the host and the Worker together`;
  if (typeof e.id !== 'string' || e.id.length < 8 || e.id.length > 128) return 'id must be a random string';
  if (typeof e.method !== 'string' || !/^[A-Z]{1,16}$/.test(e.method))
    return 'method must be an upper-case HTTP method';
  if (typeof e.url !== 'string') return 'url must be a string';
  const headers = stringHeaders(e.headers);
  if (typeof headers === 'string') return headers;
  if (e.body !== undefined && (typeof e.body !== 'string' || !BASE64.test(e.body))) return 'body must be base64 text';
  if (e.inject !== undefined && e.inject !== 'discord-bot' && e.inject !== 'qq-app')
    return 'inject must be discord-bot or qq-app';
  return {
    v: EGRESS_VERSION,
    id: e.id,
    method: e.method,
    url: e.url,
    headers,
    ...(e.body === undefined ? {} : { body: e.body }),
    ...(e.inject === undefined ? {} : { inject: e.inject }),
  };
}

/** Validates a decoded (and already signature-checked) answer on the Worker; a string is why it is refused. */
export function parseEgressResponse(value: unknown): EgressResponse | string {
  if (!isRecord(value)) return 'answer must be a JSON object';
  if (value.v !== EGRESS_VERSION)
    return `answer has egress version ${String(value.v).slice(0, 20)}, expected ${EGRESS_VERSION}`;
  if (typeof value.id !== 'string') return 'answer id must be a string';
  if (typeof value.status !== 'number' || !Number.isInteger(value.status) || value.status < 100 || value.status > 599)
    return 'answer status must be an HTTP status';
  const headers = stringHeaders(value.headers);
  if (typeof headers === 'string') return `answer ${headers}`;
  if (typeof value.body !== 'string' || !BASE64.test(value.body)) return 'answer body must be base64 text';
  return { v: EGRESS_VERSION, id: value.id, status: value.status, headers, body: value.body };
}
