import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { registerGatewayMetrics, type ObservedShard } from '../../../shard-host/metrics/gateway.ts';

describe('gateway metrics', () => {
  it('exposes per-shard state, heartbeat latency, events, reconnects, resumes, identifies, bytes in, and the pause flag', async () => {
    const registry = new Registry();
    const shards: ObservedShard[] = [
      {
        id: 0,
        state: { kind: 'ready' },
        stats: () => ({ latencyMs: 42, reconnects: 2, resumes: 2, identifies: 1, eventsReceived: 100, bytesIn: 5_000 }),
      },
      {
        id: 1,
        state: { kind: 'fatal' },
        stats: () => ({ latencyMs: null, reconnects: 0, resumes: 0, identifies: 1, eventsReceived: 0, bytesIn: 10 }),
      },
    ];
    let paused = true;
    registerGatewayMetrics(registry, { shards: () => shards, paused: () => paused });
    const text = await registry.metrics();
    expect(text).toContain('edgeshard_shard_state{shard="0",state="ready"} 1');
    expect(text).toContain('edgeshard_shard_state{shard="0",state="connecting"} 0');
    expect(text).toContain('edgeshard_shard_state{shard="1",state="fatal"} 1');
    expect(text).toContain('edgeshard_gateway_heartbeat_latency_seconds{shard="0"} 0.042');
    expect(text).not.toContain('edgeshard_gateway_heartbeat_latency_seconds{shard="1"}');
    expect(text).toContain('edgeshard_gateway_events_received_total{shard="0"} 100');
    expect(text).toContain('edgeshard_gateway_reconnects_total{shard="0"} 2');
    expect(text).toContain('edgeshard_gateway_resumes_total{shard="0"} 2');
    expect(text).toContain('edgeshard_gateway_identifies_total{shard="1"} 1');
    expect(text).toContain('edgeshard_gateway_bytes_in_total{shard="0"} 5000');
    expect(text).toContain('edgeshard_gateway_reading_paused 1');
    // The identify budget is the coordinator's, for every host at once: the Worker's /metrics has it.
    expect(text).not.toContain('identify_budget');
    paused = false;
    // A second scrape reflects the new values (counters are rebuilt from the shards' totals, not summed).
    const again = await registry.metrics();
    expect(again).toContain('edgeshard_gateway_reading_paused 0');
    expect(again).toContain('edgeshard_gateway_events_received_total{shard="0"} 100');
  });
});
