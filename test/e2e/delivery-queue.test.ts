// Queue mode under wrangler dev: /events enqueues to a local Cloudflare Queue, the consumer runs the
// handlers; a handler failing once gets its message retried by the queue; nothing is lost.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../scripts/lib/proc.ts';
import { hostMetrics, metricValue, startDeliverySystem, type DeliverySystem } from './delivery-system.ts';

describe('queue mode', () => {
  let system: DeliverySystem;

  beforeAll(async () => {
    system = await startDeliverySystem(
      ['--shards', '2', '--guilds', '4', '--rate', '20', '--identify-window-ms', '500'],
      'test/e2e/wrangler.e2e-queue.toml',
    );
  });

  afterAll(async () => {
    await system?.stop();
  });

  it(
    'delivers every MESSAGE_CREATE through the queue, retrying a failed handler there',
    { timeout: 90_000 },
    async () => {
      system.gate.failNext = 1;
      const host = await system.startHost(join(system.dir, 'spool'));
      await waitFor('events through the queue', () => (system.gate.entries.length >= 20 ? true : undefined), {
        timeoutMs: 30_000,
      });
      await system.traffic(0);
      const sent = await system.dispatchedIds();
      await waitFor(
        'every MESSAGE_CREATE handled',
        () => (sent.every((id) => system.handledCounts().has(id)) ? true : undefined),
        { timeoutMs: 45_000 },
      );
      expect(system.gate.failed).toHaveLength(1);
      expect(system.handledCounts().get(system.gate.failed[0]!)).toBe(1);
      // The host saw only acknowledgements: the retry happened in the queue, not over /events.
      expect(metricValue(await hostMetrics(host), 'edgeshard_forward_retried_events_total')).toBe(0);
      expect(host.lines.some((l) => l.includes('batch will be retried'))).toBe(false);
    },
  );
});
