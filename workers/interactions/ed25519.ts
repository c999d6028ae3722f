// Ed25519 with WebCrypto, for the two platforms that sign their webhooks with it: Discord (a published
// public key) and QQ Bot (a key derived from the bot secret). Keys are imported once per isolate.
import { EdgeshardError, ERROR_CODES } from '../../protocol/index.ts';

const encoder = new TextEncoder();
type Key = Awaited<ReturnType<typeof crypto.subtle.importKey>>;

export function fromHex(hex: string): Uint8Array<ArrayBuffer> | null {
  if (hex.length % 2 !== 0 || !/^[0-9a-f]*$/i.test(hex)) return null;
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

export function toHex(bytes: ArrayBuffer | Uint8Array): string {
  return Array.from(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes), (b) =>
    b.toString(16).padStart(2, '0'),
  ).join('');
}

const publicKeys = new Map<string, Promise<Key>>();

/** Imports a raw 32-byte public key given as hex; a malformed key is a configuration error naming `setting`. */
export function importPublicKey(hex: string, setting: string): Promise<Key> {
  let key = publicKeys.get(hex);
  if (!key) {
    const raw = fromHex(hex.trim());
    if (!raw || raw.length !== 32) {
      return Promise.reject(
        new EdgeshardError(
          ERROR_CODES.CONFIG_INVALID,
          `${setting} must be 64 hex characters (the application's Ed25519 public key)`,
        ),
      );
    }
    key = crypto.subtle.importKey('raw', raw, { name: 'Ed25519' }, false, ['verify']);
    publicKeys.set(hex, key);
  }
  return key;
}

export interface SignedRequest {
  signature: string | null | undefined;
  timestamp: string | null | undefined;
  body: string;
}

/**
 * Verifies `signature` (hex) over `timestamp + body`, the scheme both Discord (Interactions > Overview >
 * Setting Up an Endpoint > Validating Security Request Headers) and QQ (开发准备 > 安全和授权) use.
 * Throws MISSING_AUTH or BAD_SIGNATURE; `platform` names the fix in the message.
 */
export async function verifySignedRequest(
  key: Key,
  req: SignedRequest,
  platform: { headers: string; fix: string },
): Promise<void> {
  // An empty timestamp is still a timestamp (the RFC 8032 vector signs one byte); an absent one is not.
  if (!req.signature || req.timestamp === null || req.timestamp === undefined) {
    throw new EdgeshardError(
      ERROR_CODES.MISSING_AUTH,
      `missing ${platform.headers} headers: only the platform may call this route`,
    );
  }
  const sig = fromHex(req.signature);
  const ok =
    sig !== null &&
    sig.length === 64 &&
    (await crypto.subtle.verify({ name: 'Ed25519' }, key, sig, encoder.encode(req.timestamp + req.body)));
  if (!ok) throw new EdgeshardError(ERROR_CODES.BAD_SIGNATURE, `bad signature: ${platform.fix}`);
}
