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
   * the Worker and the host (the relay may be plain HTTP). Only for the Discord API host.
   */
  inject?: 'discord-bot';
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
