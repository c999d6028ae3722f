// The host's side of protocol/signing.ts: the same HMAC-SHA256 over `${timestamp}.${body}`, computed with
// node:crypto synchronously and fed in two parts, so a batch body is neither concatenated into a second
// string nor copied into WebCrypto's job queue (one signature per batch; bench/RESULTS.md). The Worker
// verifies with protocol/signing.ts; test/node/forwarder/sign.test.ts checks both give the same signature.
import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER } from '../../protocol/index.ts';

// One key object per secret: createHmac with a string secret builds a new key for every batch.
const keys = new Map<string, KeyObject>();

/** Headers for a signed request whose body is `body` (its UTF-8 bytes); `now` is injectable for tests. */
export function signBody(secret: string, body: Buffer, now = Date.now()): Record<string, string> {
  const timestamp = Math.floor(now / 1000);
  let key = keys.get(secret);
  if (!key) keys.set(secret, (key = createSecretKey(Buffer.from(secret, 'utf8'))));
  const signature = createHmac('sha256', key).update(`${timestamp}.`).update(body).digest('hex');
  return { [TIMESTAMP_HEADER]: String(timestamp), [SIGNATURE_HEADER]: signature };
}
