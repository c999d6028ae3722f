// One registry, two platforms: Discord's metrics keep their names, QQ's take the prefix edgeshard_qq_, and
// registering both does not collide (prom-client refuses two metrics of one name in a registry).
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { deliveryMetrics, metricPrefix, registerDeadLetterGauge } from '../../../shard-host/metrics/delivery.ts';
import { registerGatewayMetrics, type ObservedShard } from '../../../shard-host/metrics/gateway.ts';

const shard = (resumes: number): ObservedShard => ({
  id: 0,
  state: { kind: 'ready' },
  stats: () => ({ latencyMs: 10, reconnects: resumes, resumes, identifies: 1, eventsReceived: 3, bytesIn: 100 }),
});

describe('metrics of a host running Discord and QQ', () => {
  it('registers both platforms in one registry, each under its own names', async () => {
    const registry = new Registry();
    const depth = (events: number) => () => ({ events, bytes: events * 10, oldestAt: null });
    for (const [platform, events, resumes, dead] of [
      ['discord', 4, 1, 0],
      ['qq', 2, 3, 5],
    ] as const) {
      const prefix = metricPrefix(platform);
      deliveryMetrics(registry, depth(events), Date.now, prefix).acked(0, [Date.now()]);
      registerDeadLetterGauge(registry, () => dead, prefix);
      registerGatewayMetrics(registry, { shards: () => [shard(resumes)], paused: () => false }, prefix);
    }
    const lines = (await registry.metrics()).split('\n');
    const value = (name: string) => lines.find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
    expect(value('edgeshard_spool_events')).toBe('edgeshard_spool_events 4');
    expect(value('edgeshard_qq_spool_events')).toBe('edgeshard_qq_spool_events 2');
    expect(value('edgeshard_gateway_resumes_total')).toBe('edgeshard_gateway_resumes_total{shard="0"} 1');
    expect(value('edgeshard_qq_gateway_resumes_total')).toBe('edgeshard_qq_gateway_resumes_total{shard="0"} 3');
    expect(value('edgeshard_dead_letters')).toBe('edgeshard_dead_letters 0');
    expect(value('edgeshard_qq_dead_letters')).toBe('edgeshard_qq_dead_letters 5');
    expect(value('edgeshard_qq_events_acked_total')).toBe('edgeshard_qq_events_acked_total{shard="0"} 1');
  });
});
