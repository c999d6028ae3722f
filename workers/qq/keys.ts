// The QQ Bot key pair, derived from the bot secret (开发准备 > 安全和授权): the secret is repeated until it
// is at least 32 bytes long and its first 32 bytes are the Ed25519 seed. QQ signs callbacks with this key;
// the bot signs the op 13 validation answer with it.
import { EdgeshardError, ERROR_CODES } from '../../protocol/index.ts';

type Key = Awaited<ReturnType<typeof crypto.subtle.importKey>>;
export interface QQKeyPair {
  privateKey: Key;
  publicKey: Key;
}

// PKCS#8 wrapping of a raw Ed25519 seed (RFC 8410 §7): SEQUENCE { version 0, AlgorithmIdentifier
// id-Ed25519 (1.3.101.112), OCTET STRING { OCTET STRING seed } }. WebCrypto imports private keys only
// in PKCS#8 or JWK form.
const PKCS8_ED25519_PREFIX = [
  0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
];
const SEED_SIZE = 32;

export function qqSeed(secret: string): Uint8Array<ArrayBuffer> {
  if (secret === '')
    throw new EdgeshardError(
      ERROR_CODES.CONFIG_INVALID,
      'QQ_APP_SECRET is empty: set it to the AppSecret from the QQ Bot console (开发设置)',
    );
  let seed = secret;
  while (seed.length < SEED_SIZE) seed = seed.repeat(2);
  const bytes = new TextEncoder().encode(seed).slice(0, SEED_SIZE);
  return new Uint8Array(bytes);
}

const cache = new Map<string, Promise<QQKeyPair>>();

async function derive(secret: string): Promise<QQKeyPair> {
  const der = new Uint8Array(PKCS8_ED25519_PREFIX.length + SEED_SIZE);
  der.set(PKCS8_ED25519_PREFIX);
  der.set(qqSeed(secret), PKCS8_ED25519_PREFIX.length);
  // Extractable only long enough to read the public half (`x` of the JWK); the kept key is not.
  const extractable = await crypto.subtle.importKey('pkcs8', der, { name: 'Ed25519' }, true, ['sign']);
  const jwk = (await crypto.subtle.exportKey('jwk', extractable)) as { x?: string };
  if (!jwk.x)
    throw new EdgeshardError(ERROR_CODES.CONFIG_INVALID, 'could not derive the QQ public key from QQ_APP_SECRET');
  const privateKey = await crypto.subtle.importKey('pkcs8', der, { name: 'Ed25519' }, false, ['sign']);
  const publicKey = await crypto.subtle.importKey(
    'jwk',
    { kty: 'OKP', crv: 'Ed25519', x: jwk.x },
    { name: 'Ed25519' },
    true,
    ['verify'],
  );
  return { privateKey, publicKey };
}

/** The key pair for a secret, derived once per isolate. */
export function qqKeyPair(secret: string): Promise<QQKeyPair> {
  let pair = cache.get(secret);
  if (!pair) {
    pair = derive(secret);
    cache.set(secret, pair);
    pair.catch(() => cache.delete(secret));
  }
  return pair;
}
