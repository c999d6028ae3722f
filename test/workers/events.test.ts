import { createExecutionContext, env } from 'cloudflare:test';
import { beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../../workers/app.ts';
import { onDiscord, Registry } from '../../workers/dispatch/registry.ts';
import { batch, envelope, resetCoordinator, signedRequest, postEvents } from './helpers.ts';

// Each test sends the same event ids: start each with an empty delivery ledger.
beforeEach(resetCoordinator);

function appWith(seen: string[], failOn?: number) {
  return createApp(
    new Registry([
      onDiscord('MESSAGE_CREATE', (message, ctx) => {
        if (message.id === String(failOn)) throw new Error('boom');
        seen.push(ctx.event.id);
      }),
    ]),
  );
}

const post = postEvents;

describe('POST /events', () => {
  it('dispatches every event of a signed batch and acknowledges each', async () => {
    const seen: string[] = [];
    const body = JSON.stringify(
      batch([
        envelope(1, 'MESSAGE_CREATE', { id: '1' }),
        envelope(2, 'TYPING_START'),
        envelope(3, 'MESSAGE_CREATE', { id: '3' }),
      ]),
    );
    const res = await post(appWith(seen), await signedRequest(body));
    expect(res.status).toBe(200);
    const json = await res.json();
    expect(json).toEqual({
      v: 2,
      results: [
        { id: 'discord:0:s1:1', outcome: 'ack' },
        { id: 'discord:0:s1:2', outcome: 'ack' },
        { id: 'discord:0:s1:3', outcome: 'ack' },
      ],
    });
    expect(seen).toEqual(['discord:0:s1:1', 'discord:0:s1:3']);
  });

  it('fails only the event whose handler threw, telling the host why', async () => {
    const seen: string[] = [];
    const body = JSON.stringify(
      batch([envelope(1, 'MESSAGE_CREATE', { id: '1' }), envelope(2, 'MESSAGE_CREATE', { id: '2' })]),
    );
    const res = await post(appWith(seen, 2), await signedRequest(body));
    const json = (await res.json()) as { results: { id: string; outcome: string; error?: string }[] };
    expect(json.results[0]).toEqual({ id: 'discord:0:s1:1', outcome: 'ack' });
    expect(json.results[1]).toEqual({ id: 'discord:0:s1:2', outcome: 'retry', error: 'Error: boom' });
    expect(seen).toEqual(['discord:0:s1:1']);
  });

  const v1 = { v: 1, host: 'h', epoch: 0, events: [envelope(1)] };
  // [what, request, status, code, what the message must say]
  const rejections: [string, () => Promise<RequestInit>, number, string, RegExp][] = [
    [
      'a forged signature',
      async () => ({ ...(await signedRequest(JSON.stringify(batch([envelope(1)])), { secret: 'wrong' })) }),
      401,
      'bad_signature',
      /signature/,
    ],
    [
      'a replayed old timestamp',
      async () => signedRequest(JSON.stringify(batch([envelope(1)])), { now: Date.now() - 6 * 60_000 }),
      401,
      'stale_timestamp',
      /timestamp/,
    ],
    [
      'no signature headers',
      async () => ({ method: 'POST', body: JSON.stringify(batch([envelope(1)])) }),
      401,
      'missing_auth',
      /x-edgeshard-/,
    ],
    ['a body that is not JSON', async () => signedRequest('{"v":2,'), 400, 'malformed_batch', /body/],
    [
      'a batch with a bad field',
      async () => signedRequest(JSON.stringify({ v: 2, host: 'h', epochs: {}, events: [{ id: 'x' }] })),
      400,
      'malformed_batch',
      /events\[0\]\.platform/,
    ],
    [
      'an event whose shard has no entry in "epochs"',
      async () => signedRequest(JSON.stringify({ ...batch([envelope(1)]), epochs: { 1: 0 } })),
      400,
      'malformed_batch',
      /^malformed event batch: events\[0\]\.shard 0 has no entry in "epochs"$/,
    ],
    [
      'a version 1 batch (an older shard host), with 503 so it keeps its events,',
      async () => signedRequest(JSON.stringify(v1)),
      503,
      'batch_version',
      /^event batch version 1, this Worker speaks version 2: the shard host is older than the Worker; upgrade it/,
    ],
    [
      'a version 3 batch (an older Worker), with 503 so the host keeps its events,',
      async () => signedRequest(JSON.stringify({ ...batch([envelope(1)]), v: 3 })),
      503,
      'batch_version',
      /^event batch version 3, this Worker speaks version 2: the Worker is older than the shard host; deploy it/,
    ],
    [
      'a body over the limit',
      async () => signedRequest(JSON.stringify(batch([envelope(1, 'MESSAGE_CREATE', { pad: 'x'.repeat(1_100_000) })]))),
      413,
      'body_too_large',
      /EDGESHARD_MAX_BATCH_BYTES/,
    ],
  ];

  for (const [what, init, status, code, message] of rejections) {
    it(`refuses ${what} with ${status} ${code} and runs no handler`, async () => {
      const seen: string[] = [];
      const res = await post(appWith(seen), await init());
      expect(res.status).toBe(status);
      const json = (await res.json()) as { error: { code: string; message: string } };
      expect(json.error.code).toBe(code);
      expect(json.error.message).toMatch(message);
      expect(seen).toEqual([]);
    });
  }

  it('is wired into the deployed entry point', async () => {
    const { default: worker } = await import('../../workers/index.ts');
    const res = await worker.fetch(
      new Request('http://worker.test/events', { method: 'POST', body: '{}' }),
      env,
      createExecutionContext(),
    );
    expect(res.status).toBe(401);
  });
});
