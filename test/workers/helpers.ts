import {
  connectSigningBody,
  HOST_HEADER,
  NONCE_HEADER,
  PROTOCOL_VERSION,
  signedHeaders,
  type EventBatch,
  type EventEnvelope,
  type ShardEpochs,
} from '../../protocol/index.ts';
import type { createApp } from '../../workers/app.ts';
import { coordinatorStub } from '../../workers/coordinator/stub.ts';
import type { Env } from '../../workers/env.ts';

export const SECRET = 'test-secret-0123456789';

export function envelope(seq: number, type = 'MESSAGE_CREATE', data: unknown = {}): EventEnvelope {
  return {
    id: `discord:0:s1:${seq}`,
    platform: 'discord',
    shard: 0,
    session: 's1',
    seq,
    type,
    data,
    receivedAt: Date.now(),
  };
}

/** A batch of `events`, each event's shard at epoch 0 unless `epochs` names it. */
export function batch(events: EventEnvelope[], epochs: ShardEpochs = {}): EventBatch {
  const all: ShardEpochs = {};
  for (const e of events) all[String(e.shard)] = 0;
  return { v: PROTOCOL_VERSION, host: 'test-host', epochs: { ...all, ...epochs }, events };
}

export async function signedRequest(body: string, opts: { secret?: string; now?: number } = {}): Promise<RequestInit> {
  const headers = await signedHeaders(opts.secret ?? SECRET, body, opts.now);
  return { method: 'POST', body, headers: { ...headers, 'content-type': 'application/json' } };
}

/** POSTs `init` to `app`'s /events in the Workers runtime and waits for the work it left in waitUntil. */
export async function postEvents(app: ReturnType<typeof createApp>, init: RequestInit): Promise<Response> {
  const { createExecutionContext, env, waitOnExecutionContext } = await import('cloudflare:test');
  const ctx = createExecutionContext();
  const res = await app.request('/events', init, env, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

/** Opens a host's lease WebSocket to the coordinator (`/coordinator/connect`), signed as a host signs it;
 *  the caller takes `webSocket` from the answer (null when refused). */
export async function leaseConnect(hostId: string, o: { secret?: string; query?: string } = {}): Promise<Response> {
  const { SELF } = await import('cloudflare:test');
  const nonce = crypto.randomUUID();
  const headers = {
    ...(await signedHeaders(o.secret ?? SECRET, connectSigningBody(hostId, nonce))),
    [HOST_HEADER]: hostId,
    [NONCE_HEADER]: nonce,
    upgrade: 'websocket',
  };
  return SELF.fetch(`http://worker/coordinator/connect${o.query ?? ''}`, { headers });
}

/** Fresh coordinators (empty lease tables and delivery ledgers, every platform's) for tests that send the
 *  same event ids again. */
export async function resetCoordinator(): Promise<void> {
  const { env, evictDurableObject, runInDurableObject } = await import('cloudflare:test');
  for (const platform of ['discord', 'qq'] as const) {
    const stub = coordinatorStub(env as unknown as Env, platform);
    await evictDurableObject(stub).catch(() => {}); // closes the previous test's sockets first (if it runs)
    await runInDurableObject(stub, async (_o, state) => {
      await state.storage.deleteAll();
    });
    await evictDurableObject(stub);
  }
}
