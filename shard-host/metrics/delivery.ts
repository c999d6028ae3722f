// Delivery metrics: the spool's backlog (read at scrape time) and what the forwarder did. The forwarder
// and the spool know nothing of Prometheus; main.ts connects their hooks to these methods.
import type { Registry } from 'prom-client';
import { promClient } from '../cjs.ts';
import type { BatchSent } from '../forwarder/forwarder.ts';
import type { SpoolDepth } from '../spool/types.ts';
import type { Platform } from '../../protocol/index.ts';

const { Counter, Gauge, Histogram } = promClient;

export interface DeliveryMetrics {
  batch(sent: BatchSent): void;
  acked(shard: number, receivedAt: readonly number[], now?: number): void;
  retried(shard: number, events: number): void;
  deadLettered(shard: number): void;
  dropped(shard: number): void;
  corrupt(records: number): void;
}

/** Discord's metrics keep their names; each other platform's get its own prefix (prom-client takes one
 *  metric per name and registry, and each platform has its own spool, forwarder and shards). */
export function metricPrefix(platform: Platform): string {
  return platform === 'discord' ? 'edgeshard_' : `edgeshard_${platform}_`;
}

/** `depth` is read at scrape time, so the spool may be created after the metrics. */
export function deliveryMetrics(
  registry: Registry,
  depth: () => SpoolDepth,
  now: () => number = Date.now,
  prefix = 'edgeshard_',
): DeliveryMetrics {
  const registers = [registry];
  new Gauge({
    name: `${prefix}spool_events`,
    help: 'Events in the spool not yet acknowledged by the Worker',
    registers,
    collect() {
      this.set(depth().events);
    },
  });
  new Gauge({
    name: `${prefix}spool_bytes`,
    help: 'Bytes of event JSON in the spool',
    registers,
    collect() {
      this.set(depth().bytes);
    },
  });
  new Gauge({
    name: `${prefix}spool_oldest_unacked_age_seconds`,
    help: 'Age of the oldest unacknowledged event (0 when the spool is empty)',
    registers,
    collect() {
      const { oldestAt } = depth();
      this.set(oldestAt === null ? 0 : Math.max(0, now() - oldestAt) / 1000);
    },
  });
  const batches = new Counter({
    name: `${prefix}forward_batches_total`,
    help: 'Requests POSTed to the Worker (each packs several shards), by HTTP status (none = no response)',
    labelNames: ['status'],
    registers,
  });
  const perBatch = new Histogram({
    name: `${prefix}forward_events_per_batch`,
    help: 'Events in each request sent (all its shards)',
    buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500],
    registers,
  });
  const latency = new Histogram({
    name: `${prefix}forward_latency_seconds`,
    help: 'Time from sending a batch to the Worker answering it',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers,
  });
  const delivery = new Histogram({
    name: `${prefix}delivery_latency_seconds`,
    help: 'Time from the host reading an event to the Worker acknowledging it',
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5, 30, 120, 600],
    registers,
  });
  const acked = new Counter({
    name: `${prefix}events_acked_total`,
    help: 'Events the Worker acknowledged',
    labelNames: ['shard'],
    registers,
  });
  const retries = new Counter({
    name: `${prefix}forward_retried_events_total`,
    help: 'Events scheduled to be sent again after a failure',
    labelNames: ['shard'],
    registers,
  });
  const dead = new Counter({
    name: `${prefix}dead_letters_total`,
    help: 'Events written to the dead-letter file',
    labelNames: ['shard'],
    registers,
  });
  const dropped = new Counter({
    name: `${prefix}spool_dropped_total`,
    help: 'Events dropped because the spool passed EDGESHARD_SPOOL_MAX_BYTES',
    labelNames: ['shard'],
    registers,
  });
  const corrupt = new Counter({
    name: `${prefix}spool_corrupt_records_total`,
    help: 'Torn or corrupt spool records found (and skipped) at start',
    registers,
  });

  return {
    batch(sent) {
      batches.inc({ status: sent.status === null ? 'none' : String(sent.status) });
      perBatch.observe(sent.events);
      latency.observe(sent.latencyMs / 1000);
    },
    acked(shard, receivedAt, at = now()) {
      acked.inc({ shard: String(shard) }, receivedAt.length);
      for (const t of receivedAt) delivery.observe(Math.max(0, at - t) / 1000);
    },
    retried: (shard, events) => retries.inc({ shard: String(shard) }, events),
    deadLettered: (shard) => dead.inc({ shard: String(shard) }),
    dropped: (shard) => dropped.inc({ shard: String(shard) }),
    corrupt: (records) => corrupt.inc(records),
  };
}

/** Dead letters not yet replayed (`shard-host dead-letters`), read at scrape time. */
export function registerDeadLetterGauge(registry: Registry, outstanding: () => number, prefix = 'edgeshard_'): void {
  new Gauge({
    name: `${prefix}dead_letters`,
    help: 'Dead-lettered events not yet replayed (list them with `npx shard-host dead-letters`)',
    registers: [registry],
    collect() {
      this.set(outstanding());
    },
  });
}
