// Gateway metrics, read from the shards at scrape time (no bookkeeping on the hot path). Counters are
// monotonic per process: they are rebuilt from each shard's own totals at every scrape.
import type { Registry } from 'prom-client';
import { promClient } from '../cjs.ts';
import type { ShardStateKind, ShardStats } from '../gateway/index.ts';

const { Counter, Gauge } = promClient;

export interface ObservedShard {
  id: number;
  state: { kind: ShardStateKind };
  stats(): ShardStats;
}

const STATES: readonly ShardStateKind[] = [
  'idle',
  'connecting',
  'identifying',
  'resuming',
  'ready',
  'disconnected',
  'awaiting-lease',
  'stopped',
  'fatal',
];

type StatCounter = Exclude<keyof ShardStats, 'latencyMs'>;
const COUNTERS: Record<StatCounter, { name: string; help: string }> = {
  eventsReceived: {
    name: 'gateway_events_received_total',
    help: 'Dispatches received and handed to the spool, per shard.',
  },
  reconnects: { name: 'gateway_reconnects_total', help: 'Connections opened after the first, per shard.' },
  resumes: { name: 'gateway_resumes_total', help: 'Resume payloads sent, per shard.' },
  identifies: {
    name: 'gateway_identifies_total',
    help: 'Identify payloads sent (each spends a daily session start), per shard.',
  },
  bytesIn: { name: 'gateway_bytes_in_total', help: 'Bytes received on the wire (compressed), per shard.' },
};

export interface GatewayMetricsSources {
  shards: () => Iterable<ObservedShard>;
  /** Whether reading is paused by backpressure. */
  paused: () => boolean;
}

/** `prefix`: metricPrefix(platform) (metrics/delivery.ts); Discord's names by default. */
export function registerGatewayMetrics(
  registry: Registry,
  sources: GatewayMetricsSources,
  prefix = 'edgeshard_',
): void {
  const registers = [registry];
  new Gauge({
    name: `${prefix}shard_state`,
    help: 'Current state of each shard: 1 for the state it is in, 0 for the others.',
    labelNames: ['shard', 'state'],
    registers,
    collect() {
      this.reset();
      for (const s of sources.shards())
        for (const state of STATES) this.set({ shard: String(s.id), state }, s.state.kind === state ? 1 : 0);
    },
  });
  new Gauge({
    name: `${prefix}gateway_heartbeat_latency_seconds`,
    help: 'Round trip of the last acknowledged heartbeat, per shard.',
    labelNames: ['shard'],
    registers,
    collect() {
      this.reset();
      for (const s of sources.shards()) {
        const ms = s.stats().latencyMs;
        if (ms !== null) this.set({ shard: String(s.id) }, ms / 1000);
      }
    },
  });
  for (const [key, { name, help }] of Object.entries(COUNTERS) as [StatCounter, { name: string; help: string }][]) {
    new Counter({
      name: prefix + name,
      help,
      labelNames: ['shard'],
      registers,
      collect() {
        this.reset();
        for (const s of sources.shards()) this.inc({ shard: String(s.id) }, s.stats()[key]);
      },
    });
  }
  new Gauge({
    name: `${prefix}gateway_reading_paused`,
    help: '1 while backpressure has paused reading the sockets (the spool is over its high-water mark).',
    registers,
    collect() {
      this.set(sources.paused() ? 1 : 0);
    },
  });
}
