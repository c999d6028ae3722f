// Against the real Worker under wrangler dev: a handler that throws for one event gets only that event
// retried; forged, replayed, oversized and malformed batches and another batch version are refused, a
// batch from a host without the shard's lease is fenced per event, and nothing of them is dispatched.
import type { APIMessage } from 'discord-api-types/v10';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedHeaders, type EventEnvelope } from '../../protocol/index.ts';
import { waitFor } from '../../scripts/lib/proc.ts';
import { startDeliverySystem, type DeliverySystem } from './delivery-system.ts';

interface World {
  guilds: { id: string; channels: { id: string }[] }[];
}

describe('failures the Worker answers per event, and refusals', () => {
  let system: DeliverySystem;

  beforeAll(async () => {
    system = await startDeliverySystem([
      '--shards',
      '1',
      '--guilds',
      '2',
      '--rate',
      '0',
      '--identify-window-ms',
      '500',
    ]);
    await system.startHost(join(system.dir, 'spool'));
  });

  afterAll(async () => {
    await system?.stop();
  });

  it('a handler that throws for one event: only that event is retried', { timeout: 60_000 }, async () => {
    const world = await system.emu<World>('/_emulator/world');
    const channel = world.guilds[0]!.channels[0]!.id;
    system.gate.failNext = 1;
    const said = await Promise.all(
      [1, 2, 3, 4, 5].map((n) =>
        system.emu<APIMessage>('/_emulator/say', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ channel_id: channel, content: `hello ${n}` }),
        }),
      ),
    );
    const ids = said.map((m) => m.id);
    await waitFor('all five handled', () => (ids.every((id) => system.handledCounts().has(id)) ? true : undefined), {
      timeoutMs: 30_000,
    });
    await new Promise((r) => setTimeout(r, 1_000)); // time for a wrong duplicate to show
    expect(system.gate.failed).toHaveLength(1);
    const victim = system.gate.failed[0]!;
    expect(ids).toContain(victim);
    const counts = system.handledCounts();
    // Every event handled exactly once: the failed one after its retry, the others never re-sent.
    expect(ids.map((id) => counts.get(id))).toEqual([1, 1, 1, 1, 1]);
  });

  const message = (id: string) => ({
    id,
    channel_id: '1',
    content: 'x',
    author: { id: '2', username: 'u', bot: false },
  });
  const envelope = (id: string, data: unknown = message(id)): EventEnvelope => ({
    id: `discord:0:test:${id}`,
    platform: 'discord',
    shard: 0,
    session: 'test',
    seq: 1,
    type: 'MESSAGE_CREATE',
    data,
    receivedAt: Date.now(),
  });
  const body = (events: EventEnvelope[]) => JSON.stringify({ v: 2, host: 'e2e', epochs: { 0: 0 }, events });
  const post = async (text: string, headers: Record<string, string>) =>
    fetch(`${system.worker.url}/events`, {
      method: 'POST',
      body: text,
      headers: { 'content-type': 'application/json', ...headers },
    });

  it(
    'refuses forged, replayed, oversized and malformed batches and another version, fences an unleased one, and dispatches none of them',
    { timeout: 60_000 },
    async () => {
      const cases: [string, () => Promise<Response>, number, string][] = [
        [
          'forged',
          async () =>
            post(
              body([envelope('forged')]),
              await signedHeaders('not-the-secret-0123456789', body([envelope('forged')])),
            ),
          401,
          'bad_signature',
        ],
        [
          'replayed',
          async () =>
            post(
              body([envelope('replayed')]),
              await signedHeaders(system.secret, body([envelope('replayed')]), Date.now() - 6 * 60_000),
            ),
          401,
          'stale_timestamp',
        ],
        [
          'oversized',
          async () => {
            const text = body([envelope('oversized', { ...message('oversized'), pad: 'x'.repeat(1_100_000) })]);
            return post(text, await signedHeaders(system.secret, text));
          },
          413,
          'body_too_large',
        ],
        [
          'malformed',
          async () => {
            const text = JSON.stringify({
              v: 2,
              host: 'e2e',
              epochs: { 0: 0 },
              events: [{ ...envelope('malformed'), seq: 'one' }],
            });
            return post(text, await signedHeaders(system.secret, text));
          },
          400,
          'malformed_batch',
        ],
        [
          'no-epoch', // an event whose shard has no entry in "epochs"
          async () => {
            const text = JSON.stringify({ v: 2, host: 'e2e', epochs: { 1: 0 }, events: [envelope('no-epoch')] });
            return post(text, await signedHeaders(system.secret, text));
          },
          400,
          'malformed_batch',
        ],
        [
          'version-1', // an older shard host: 503, so it keeps its events until it is upgraded
          async () => {
            const text = JSON.stringify({ v: 1, host: 'e2e', epoch: 0, events: [envelope('version-1')] });
            return post(text, await signedHeaders(system.secret, text));
          },
          503,
          'batch_version',
        ],
      ];
      for (const [name, send, status, code] of cases) {
        const res = await send();
        expect({ name, status: res.status }).toEqual({ name, status });
        expect(((await res.json()) as { error: { code: string } }).error.code).toBe(code);
      }
      // Signed and well formed, but from a host that holds no lease for the shard (epoch 0): its event is
      // fenced, per event (the running host leases shard 0 at epoch 1 or later).
      const unleased = body([envelope('unleased')]);
      const fenced = await post(unleased, await signedHeaders(system.secret, unleased));
      expect(fenced.status).toBe(200);
      expect(await fenced.json()).toEqual({
        v: 2,
        results: [
          {
            id: 'discord:0:test:unleased',
            outcome: 'fenced',
            error: expect.stringMatching(
              /^stale lease epoch 0 for shard 0 \(current [1-9]\d*\): host e2e no longer owns/,
            ),
          },
        ],
      });
      // A correctly signed batch is handled: the check above is not vacuous. (An operator's re-delivery, which
      // the lease fence lets through: the shards are leased to the running host, not to this test.)
      const good = JSON.stringify({ v: 2, host: 'e2e', epochs: { 0: 0 }, events: [envelope('control')], replay: true });
      const ok = await post(good, await signedHeaders(system.secret, good));
      expect(ok.status).toBe(200);
      await waitFor('the control event', () => (system.handledCounts().has('control') ? true : undefined), {
        timeoutMs: 10_000,
      });
      await new Promise((r) => setTimeout(r, 500));
      const handled = system.handledCounts();
      for (const id of ['forged', 'replayed', 'oversized', 'malformed', 'no-epoch', 'version-1', 'unleased'])
        expect(handled.has(id)).toBe(false);
    },
  );
});
