// GET /coordinator/connect[?platform=qq]: a shard host opens its lease connection (a WebSocket to the
// platform's ShardCoordinator DO; discord by default). Authenticated before the upgrade reaches the DO: HMAC-SHA256 with EDGESHARD_SECRET over a timestamp,
// the host id and a nonce (protocol/lease.ts connectSigningBody), replay window as for /events; the DO
// refuses a nonce it has seen (workers/coordinator/nonces.ts).
import type { Context } from 'hono';
import { Hono } from 'hono';
import { createMiddleware } from 'hono/factory';
import {
  connectSigningBody,
  EdgeshardError,
  ERROR_CODES,
  HOST_HEADER,
  HOST_ID_PATTERN,
  NONCE_HEADER,
  NONCE_PATTERN,
} from '../../protocol/index.ts';
import { need } from '../config.ts';
import { coordinatorStub, platformParam, PLATFORM_HEADER } from '../coordinator/stub.ts';
import { hostHmac, type AppEnv } from '../middleware/index.ts';

/** Host id and nonce must be well-formed before the signature over them is checked. */
const connectHeaders = createMiddleware<AppEnv>(async (c, next) => {
  need(c.var.config.secret);
  const hostId = c.req.header(HOST_HEADER);
  if (!hostId || !HOST_ID_PATTERN.test(hostId)) {
    throw new EdgeshardError(
      ERROR_CODES.LEASE_PROTOCOL,
      `${HOST_HEADER} must be 1–64 characters of A-Z a-z 0-9 . _ : - (set EDGESHARD_HOST_ID on the host)`,
    );
  }
  if (!NONCE_PATTERN.test(c.req.header(NONCE_HEADER) ?? ''))
    throw new EdgeshardError(
      ERROR_CODES.MISSING_AUTH,
      `${NONCE_HEADER} must be 16–64 characters of A-Z a-z 0-9 _ -: run the same edgeshard version on hosts and Worker`,
    );
  await next();
});

const signedConnect = (c: Context<AppEnv>) =>
  connectSigningBody(c.req.header(HOST_HEADER)!, c.req.header(NONCE_HEADER)!);

export function coordinatorRoute(): Hono<AppEnv> {
  const route = new Hono<AppEnv>();

  route.get('/connect', connectHeaders, hostHmac(signedConnect), async (c) => {
    if (c.req.header('upgrade')?.toLowerCase() !== 'websocket') {
      throw new EdgeshardError(
        ERROR_CODES.LEASE_PROTOCOL,
        'the coordinator connection is a WebSocket: send Upgrade: websocket',
      );
    }
    // ?platform=qq reaches QQ's coordinator (default discord); the DO learns its platform from the header,
    // set here whatever the host sent.
    const platform = platformParam(c.req.query('platform'));
    const upgrade = new Request(c.req.raw);
    upgrade.headers.set(PLATFORM_HEADER, platform);
    return coordinatorStub(c.env, platform).fetch(upgrade);
  });

  return route;
}
