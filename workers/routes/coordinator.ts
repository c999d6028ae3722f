// GET /coordinator/connect: a shard host opens its lease connection (a WebSocket to the ShardCoordinator
// DO). Authenticated before the upgrade reaches the DO: HMAC-SHA256 with EDGESHARD_SECRET over a timestamp
// and the host id (protocol/lease.ts connectSigningBody), replay window as for /events.
import { Hono } from 'hono';
import {
  connectSigningBody,
  EdgeshardError,
  ERROR_CODES,
  HOST_HEADER,
  HOST_ID_PATTERN,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  verify,
} from '../../protocol/index.ts';
import { coordinatorStub } from '../coordinator/stub.ts';
import type { Env } from '../env.ts';

export function coordinatorRoute(): Hono<{ Bindings: Env }> {
  const route = new Hono<{ Bindings: Env }>();

  route.get('/connect', async (c) => {
    const secret = c.env.EDGESHARD_SECRET;
    if (!secret)
      throw new EdgeshardError(
        ERROR_CODES.CONFIG_INVALID,
        'EDGESHARD_SECRET is not set on the Worker: `wrangler secret put EDGESHARD_SECRET` (or .dev.vars locally)',
      );
    const hostId = c.req.header(HOST_HEADER);
    if (!hostId || !HOST_ID_PATTERN.test(hostId)) {
      throw new EdgeshardError(
        ERROR_CODES.LEASE_PROTOCOL,
        `${HOST_HEADER} must be 1–64 characters of A-Z a-z 0-9 . _ : - (set EDGESHARD_HOST_ID on the host)`,
      );
    }
    await verify(
      secret,
      { timestamp: c.req.header(TIMESTAMP_HEADER), signature: c.req.header(SIGNATURE_HEADER) },
      connectSigningBody(hostId),
    );
    if (c.req.header('upgrade')?.toLowerCase() !== 'websocket') {
      throw new EdgeshardError(
        ERROR_CODES.LEASE_PROTOCOL,
        'the coordinator connection is a WebSocket: send Upgrade: websocket',
      );
    }
    return coordinatorStub(c.env).fetch(c.req.raw);
  });

  return route;
}
