import { PROTOCOL_VERSION, signedHeaders, type EventBatch, type EventEnvelope } from '../../protocol/index.ts';

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
