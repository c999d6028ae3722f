// GET /metrics in Prometheus text format (exposition format 0.0.4). Three sources, each said in its HELP:
// - this isolate's handler figures (per isolate: labelled `isolate`, sum over isolates; observability/metrics.ts);
// - the REST proxy Durable Object's stats() (one instance per bot: global);
// - the ShardCoordinator's status (global): shard states, host load, identify budget.
import type { CoordinatorStatus } from '../coordinator/status.ts';
import type { ProxyStats } from '../rest/proxy.ts';
import { DURATION_BUCKETS_MS, type MetricsSnapshot } from './metrics.ts';

type Labels = Record<string, string>;

const escapeLabel = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
const labels = (l: Labels) => {
  const entries = Object.entries(l);
  return entries.length === 0 ? '' : `{${entries.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',')}}`;
};

class Writer {
  readonly lines: string[] = [];
  family(name: string, type: 'counter' | 'gauge' | 'histogram', help: string): void {
    this.lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
  }
  sample(name: string, l: Labels, value: number): void {
    this.lines.push(`${name}${labels(l)} ${Number.isFinite(value) ? value : 0}`);
  }
}

/** `platform:TYPE` or `discord:interaction:kind:name` → labels. */
function keyLabels(key: string): Labels {
  const [platform, ...rest] = key.split(':');
  return { platform: platform ?? '', type: rest.join(':') };
}

export function renderPrometheus(
  worker: MetricsSnapshot,
  rest: ProxyStats | null,
  coordinator: CoordinatorStatus | null,
): string {
  const w = new Writer();
  const iso = { isolate: worker.isolate };
  const events = Object.entries(worker.events);

  w.family(
    'edgeshard_worker_events_total',
    'counter',
    'Events (and interactions) whose handlers ran, by outcome; per isolate.',
  );
  for (const [key, f] of events) {
    w.sample('edgeshard_worker_events_total', { ...iso, ...keyLabels(key), outcome: 'handled' }, f.handled);
    w.sample('edgeshard_worker_events_total', { ...iso, ...keyLabels(key), outcome: 'failed' }, f.failed);
  }
  w.family(
    'edgeshard_worker_handler_duration_ms',
    'histogram',
    'Time from dispatch to the last handler settling, ms; per isolate.',
  );
  for (const [key, f] of events) {
    let cumulative = 0;
    DURATION_BUCKETS_MS.forEach((bound, i) => {
      cumulative += f.buckets[i] ?? 0;
      w.sample(
        'edgeshard_worker_handler_duration_ms_bucket',
        { ...iso, ...keyLabels(key), le: String(bound) },
        cumulative,
      );
    });
    const count = f.handled + f.failed;
    w.sample('edgeshard_worker_handler_duration_ms_bucket', { ...iso, ...keyLabels(key), le: '+Inf' }, count);
    w.sample('edgeshard_worker_handler_duration_ms_sum', { ...iso, ...keyLabels(key) }, f.durationMsSum);
    w.sample('edgeshard_worker_handler_duration_ms_count', { ...iso, ...keyLabels(key) }, count);
  }
  w.family(
    'edgeshard_worker_unhandled_events_total',
    'counter',
    'Events and interactions with no handler, by platform:type; per isolate.',
  );
  for (const [key, n] of Object.entries(worker.unhandled))
    w.sample('edgeshard_worker_unhandled_events_total', { ...iso, ...keyLabels(key) }, n);
  w.family(
    'edgeshard_worker_isolate_start_time_seconds',
    'gauge',
    'When this isolate started (a new value: counters restarted).',
  );
  w.sample('edgeshard_worker_isolate_start_time_seconds', iso, worker.startedAt / 1000);

  if (rest) {
    w.family('edgeshard_rest_requests_total', 'counter', 'Requests the REST proxy sent upstream (global).');
    w.sample('edgeshard_rest_requests_total', {}, rest.requests);
    w.family('edgeshard_rest_queue_depth', 'gauge', 'Requests waiting for the rate limits now (global).');
    w.sample('edgeshard_rest_queue_depth', {}, rest.queued);
    w.family('edgeshard_rest_buckets', 'gauge', 'Rate-limit lanes the proxy tracks (global).');
    w.sample('edgeshard_rest_buckets', {}, rest.buckets);
    w.family('edgeshard_rest_ratelimited_total', 'counter', '429 answers from the platform, by scope (global).');
    for (const [scope, n] of Object.entries(rest.ratelimited))
      w.sample('edgeshard_rest_ratelimited_total', { scope }, n);
    w.family(
      'edgeshard_rest_refused_total',
      'counter',
      'Requests the proxy answered itself, by refusal code (global).',
    );
    for (const [code, n] of Object.entries(rest.refused)) w.sample('edgeshard_rest_refused_total', { code }, n);
    w.family(
      'edgeshard_rest_server_error_retries_total',
      'counter',
      '5xx answers to idempotent requests sent again (global).',
    );
    w.sample('edgeshard_rest_server_error_retries_total', {}, rest.serverErrorRetries);
    w.family(
      'edgeshard_rest_waited_total',
      'counter',
      'Requests that waited for the rate limits before their first send (global).',
    );
    w.sample('edgeshard_rest_waited_total', {}, rest.waits.waited);
    w.family('edgeshard_rest_wait_ms_total', 'counter', 'Total time requests waited for the rate limits, ms (global).');
    w.sample('edgeshard_rest_wait_ms_total', {}, rest.waits.totalMs);
    w.family('edgeshard_rest_wait_ms_max', 'gauge', 'Longest wait for the rate limits so far, ms (global).');
    w.sample('edgeshard_rest_wait_ms_max', {}, rest.waits.maxMs);
    w.family(
      'edgeshard_rest_invalid_requests',
      'gauge',
      '401/403/429 answers in the last 10 minutes (global; Discord bans an IP at 10,000).',
    );
    w.sample('edgeshard_rest_invalid_requests', {}, rest.guard.invalidRequests);
    w.family(
      'edgeshard_rest_invalid_request_threshold',
      'gauge',
      'Where the proxy starts shedding load (EDGESHARD_INVALID_REQUEST_LIMIT).',
    );
    w.sample('edgeshard_rest_invalid_request_threshold', {}, rest.guard.threshold);
  }

  if (coordinator) {
    const byState = new Map<string, number>();
    for (const s of coordinator.shards) byState.set(s.state, (byState.get(s.state) ?? 0) + 1);
    w.family('edgeshard_shards', 'gauge', 'Shards by state in the lease table (global).');
    for (const [state, n] of byState) w.sample('edgeshard_shards', { state }, n);
    w.family('edgeshard_host_live', 'gauge', '1 when the host holds a live lease (global).');
    for (const h of coordinator.hosts) w.sample('edgeshard_host_live', { host: h.id }, h.live ? 1 : 0);
    const loaded = coordinator.hosts.filter((h) => h.load !== null);
    w.family(
      'edgeshard_host_spool_events',
      'gauge',
      'Events in a host spool not yet acknowledged, as last reported (global).',
    );
    for (const h of loaded) w.sample('edgeshard_host_spool_events', { host: h.id }, h.load!.spoolEvents);
    w.family('edgeshard_host_oldest_unacked_seconds', 'gauge', "Age of a host's oldest unacknowledged event (global).");
    for (const h of loaded)
      w.sample('edgeshard_host_oldest_unacked_seconds', { host: h.id }, (h.load!.oldestUnackedAgeMs ?? 0) / 1000);
    w.family('edgeshard_host_dead_letters', 'gauge', 'Dead-lettered events not replayed yet, per host (global).');
    for (const h of loaded) w.sample('edgeshard_host_dead_letters', { host: h.id }, h.load!.deadLetters);
    w.family('edgeshard_identify_remaining', 'gauge', 'session_start_limit.remaining as last announced (global).');
    if (coordinator.identify.sessionStartRemaining !== null)
      w.sample('edgeshard_identify_remaining', {}, coordinator.identify.sessionStartRemaining);
  }
  return `${w.lines.join('\n')}\n`;
}
