// Requests from shard hosts: HMAC-SHA256 with EDGESHARD_SECRET over `timestamp.body` (protocol/signing.ts),
// a 300 s replay window. Runs after bodyLimit, so at most the limit is read before the signature is checked;
// `signed` names what is signed when it is not the body (the connect upgrade signs its host id and nonce).
import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, verify } from '../../protocol/index.ts';
import { need } from '../config.ts';
import { bodyText } from './body-limit.ts';
import type { AppEnv } from './types.ts';

export function hostHmac(signed: (c: Context<AppEnv>) => string = bodyText) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const secret = need(c.var.config.secret);
    await verify(
      secret,
      { timestamp: c.req.header(TIMESTAMP_HEADER), signature: c.req.header(SIGNATURE_HEADER) },
      signed(c),
    );
    await next();
  });
}
