// HMAC-SHA256 request signing between shard hosts and the Worker. WebCrypto only, so the same code runs
// in Node and in workerd. The signed message is `${timestamp}.${body}`; the timestamp is Unix seconds.

import { EdgeshardError, ERROR_CODES } from './errors.ts';

export const SIGNATURE_HEADER = 'x-edgeshard-signature';
export const TIMESTAMP_HEADER = 'x-edgeshard-timestamp';
/** Requests older or newer than this are refused as replays. */
export const MAX_CLOCK_SKEW_SECONDS = 300;

const encoder = new TextEncoder();
// Spelled this way because Node's and workerd's type packages name the key type differently.
type HmacKey = Awaited<ReturnType<typeof crypto.subtle.importKey>>;
const keyCache = new Map<string, Promise<HmacKey>>();

function importKey(secret: string): Promise<HmacKey> {
  let key = keyCache.get(secret);
  if (!key) {
    key = crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, [
      'sign',
      'verify',
    ]);
    keyCache.set(secret, key);
  }
  return key;
}

function toHex(bytes: ArrayBuffer): string {
  return Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, '0')).join('');
}

function fromHex(hex: string): Uint8Array<ArrayBuffer> | null {
  if (hex.length % 2 !== 0 || !/^[0-9a-f]*$/i.test(hex)) return null;
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

export async function sign(secret: string, timestamp: number, body: string): Promise<string> {
  const key = await importKey(secret);
  return toHex(await crypto.subtle.sign('HMAC', key, encoder.encode(`${timestamp}.${body}`)));
}

/** Headers for a signed request; `now` is injectable for tests. */
export async function signedHeaders(secret: string, body: string, now = Date.now()): Promise<Record<string, string>> {
  const timestamp = Math.floor(now / 1000);
  return { [TIMESTAMP_HEADER]: String(timestamp), [SIGNATURE_HEADER]: await sign(secret, timestamp, body) };
}

/**
 * Throws MISSING_AUTH, STALE_TIMESTAMP or BAD_SIGNATURE. Verification uses crypto.subtle.verify, which
 * compares in constant time.
 */
export async function verify(
  secret: string,
  headers: { timestamp: string | null | undefined; signature: string | null | undefined },
  body: string,
  now = Date.now(),
): Promise<void> {
  const { timestamp, signature } = headers;
  if (!timestamp || !signature) {
    throw new EdgeshardError(
      ERROR_CODES.MISSING_AUTH,
      `missing ${TIMESTAMP_HEADER} or ${SIGNATURE_HEADER} header: sign the request with EDGESHARD_SECRET`,
    );
  }
  const ts = Number(timestamp);
  if (!Number.isInteger(ts))
    throw new EdgeshardError(ERROR_CODES.STALE_TIMESTAMP, `${TIMESTAMP_HEADER} must be Unix seconds`);
  const skew = Math.abs(Math.floor(now / 1000) - ts);
  if (skew > MAX_CLOCK_SKEW_SECONDS) {
    throw new EdgeshardError(
      ERROR_CODES.STALE_TIMESTAMP,
      `request timestamp is ${skew}s away from the Worker's clock (limit ${MAX_CLOCK_SKEW_SECONDS}s): a replay, or the host's clock is wrong (enable NTP)`,
    );
  }
  const sig = fromHex(signature);
  const key = await importKey(secret);
  if (!sig || !(await crypto.subtle.verify('HMAC', key, sig, encoder.encode(`${ts}.${body}`)))) {
    throw new EdgeshardError(
      ERROR_CODES.BAD_SIGNATURE,
      'bad signature: the host and the Worker must share the same EDGESHARD_SECRET',
    );
  }
}
