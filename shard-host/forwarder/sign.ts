// The host's side of protocol/signing.ts: the same HMAC-SHA256 over `${timestamp}.${body}`, computed with
// node:crypto synchronously and fed in two parts, so a batch body is neither concatenated into a second
// string nor copied into WebCrypto's job queue (one signature per batch; bench/RESULTS.md). The Worker
// verifies with protocol/signing.ts; test/node/forwarder/sign.test.ts checks both give the same signature.
import { createHmac } from 'node:crypto';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER } from '../../protocol/index.ts';

/** Headers for a signed request whose body is `body` (its UTF-8 bytes); `now` is injectable for tests. */
export function signBody(secret: string, body: Buffer, now = Date.now()): Record<string, string> {
  const timestamp = Math.floor(now / 1000);
  const signature = createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex');
  return { [TIMESTAMP_HEADER]: String(timestamp), [SIGNATURE_HEADER]: signature };
}
