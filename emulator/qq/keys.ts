// The QQ bot's Ed25519 key from its secret (QQ 机器人文档, 开发准备 > 安全和授权): repeat the secret until it
// is at least 32 bytes, take the first 32 as the seed.
import { signingKeyFromSeed, type SigningKey } from '../interactions/keys.ts';

export function qqSigningKey(secret: string): SigningKey {
  if (secret === '') throw new RangeError('the QQ app secret must not be empty');
  let seed = secret;
  while (Buffer.byteLength(seed) < 32) seed = seed.repeat(2);
  return signingKeyFromSeed(Buffer.from(seed).subarray(0, 32));
}
