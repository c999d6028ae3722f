import { PROTOCOL_VERSION, signedHeaders, type EventBatch, type EventEnvelope } from '../../protocol/index.ts';
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

export function batch(events: EventEnvelope[]): EventBatch {
  return { v: PROTOCOL_VERSION, host: 'test-host', epoch: 0, events };
}

export async function signedRequest(body: string, opts: { secret?: string; now?: number } = {}): Promise<RequestInit> {
  const headers = await signedHeaders(opts.secret ?? SECRET, body, opts.now);
  return { method: 'POST', body, headers: { ...headers, 'content-type': 'application/json' } };
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
