// Ed25519 signing keys for the webhooks the emulator sends. node:crypto, independent of the Worker's
// WebCrypto code, so a bug on one side is not mirrored on the other. Discord: a key pair generated per run
// (its public half is the Worker's DISCORD_PUBLIC_KEY). QQ: derived from the bot secret (qq/keys.ts).
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';

export interface SigningKey {
  /** Raw 32-byte public key, hex: the form Discord shows in the Developer Portal. */
  publicKeyHex: string;
  sign(message: string): string;
  verify(message: string, signatureHex: string): boolean;
}

// RFC 8410 PKCS#8 header for a raw Ed25519 seed.
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

function wrap(privateKey: KeyObject): SigningKey {
  const publicKey = createPublicKey(privateKey);
  const jwk = publicKey.export({ format: 'jwk' }) as { x: string };
  return {
    publicKeyHex: Buffer.from(jwk.x, 'base64url').toString('hex'),
    sign: (message) => sign(null, Buffer.from(message), privateKey).toString('hex'),
    verify: (message, signatureHex) => {
      const sig = Buffer.from(signatureHex, 'hex');
      return sig.length === 64 && verify(null, Buffer.from(message), publicKey, sig);
    },
  };
}

export function generateSigningKey(): SigningKey {
  return wrap(generateKeyPairSync('ed25519').privateKey);
}

export function signingKeyFromSeed(seed: Buffer): SigningKey {
  if (seed.length !== 32) throw new RangeError('an Ed25519 seed is 32 bytes');
  return wrap(createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' }));
}
