// Platform webhooks signed with Ed25519 over `timestamp + raw body`: Discord (Interactions > Overview >
// Setting Up an Endpoint > Validating Security Request Headers) and QQ (开发准备 > 安全和授权). The signature
// is checked first, then the timestamp's age: a captured request replayed later is refused even though its
// signature is genuine. Runs after bodyLimit; nothing about our configuration is said before it passes.
import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { EdgeshardError, ERROR_CODES } from '../../protocol/index.ts';
import { verifySignedRequest } from '../interactions/ed25519.ts';
import { bodyText } from './body-limit.ts';
import type { AppEnv } from './types.ts';

type Key = Awaited<ReturnType<typeof crypto.subtle.importKey>>;

export interface PlatformSignatureOptions {
  /** The platform's verification key (throws CONFIG_INVALID naming the setting when it is not configured). */
  key: (c: Context<AppEnv>) => Promise<Key>;
  /** Fix named in a bad-signature answer. */
  fix: string;
  /** Oldest (and furthest in the future) a signed timestamp may be, in seconds. */
  maxAgeSeconds: number;
  now?: () => number;
}

export const SIGNATURE_HEADERS = 'X-Signature-Ed25519 / X-Signature-Timestamp';

/** Throws STALE_TIMESTAMP unless `timestamp` is Unix seconds within `maxAgeSeconds` of `nowMs`. */
export function assertFresh(timestamp: string, maxAgeSeconds: number, nowMs: number): void {
  if (!/^\d{1,12}$/.test(timestamp))
    throw new EdgeshardError(ERROR_CODES.STALE_TIMESTAMP, 'X-Signature-Timestamp must be Unix seconds');
  const skew = Math.abs(Math.floor(nowMs / 1000) - Number(timestamp));
  if (skew > maxAgeSeconds)
    throw new EdgeshardError(
      ERROR_CODES.STALE_TIMESTAMP,
      `signed ${skew}s away from the Worker's clock (limit ${maxAgeSeconds}s): a replayed request is refused`,
    );
}

export function platformSignature(opts: PlatformSignatureOptions) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const key = await opts.key(c);
    const timestamp = c.req.header('x-signature-timestamp');
    await verifySignedRequest(
      key,
      { signature: c.req.header('x-signature-ed25519'), timestamp, body: bodyText(c) },
      { headers: SIGNATURE_HEADERS, fix: opts.fix },
    );
    assertFresh(timestamp ?? '', opts.maxAgeSeconds, (opts.now ?? Date.now)());
    await next();
  });
}
