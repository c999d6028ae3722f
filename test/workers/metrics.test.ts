// The Worker observable: per-type handled/failed counts and handler time in the registry, /metrics in
// Prometheus text behind its token, and /status.json with the same figures plus the REST proxy's.
import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../workers/app.ts';
import { createHandlerContext } from '../../workers/dispatch/context.ts';
import { onDiscord, Registry } from '../../workers/dispatch/registry.ts';
import { renderPrometheus } from '../../workers/observability/prometheus.ts';
import { directEgress } from '../../workers/rest/egress.ts';
import { RestProxyCore, type RequestObservation } from '../../workers/rest/proxy.ts';
import type { ConsoleData } from '../../workers/routes/status-data.ts';

async function get(registry: Registry, path: string, headers: Record<string, string>, bindings: object) {
  const ctx = createExecutionContext();
  const res = await createApp(registry).request(path, { headers }, bindings, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

async function busyRegistry(): Promise<Registry> {
  const registry = new Registry([
    onDiscord('MESSAGE_CREATE', (m) => {
      if (m.content === 'boom') throw new Error('handler bug');
    }),
  ]);
  const meta = (seq: number, type: string) => ({
    id: `discord:0:s:${seq}`,
    platform: 'discord' as const,
    shard: 0,
    type,
  });
  const waitUntil = () => undefined;
  for (const [seq, content] of [
    [1, 'hi'],
    [2, 'boom'],
    [3, 'hello'],
  ] as const) {
    await registry.dispatch(
      { platform: 'discord', type: 'MESSAGE_CREATE', data: { content } },
      createHandlerContext(env, meta(seq, 'MESSAGE_CREATE'), waitUntil),
    );
  }
  await registry.dispatch(
    { platform: 'discord', type: 'TYPING_START', data: {} },
    createHandlerContext(env, meta(4, 'TYPING_START'), waitUntil),
  );
  return registry;
}

describe('GET /metrics', () => {
  it('is off without a token, and refuses a wrong one, naming the setting', async () => {
    const registry = new Registry([]);
    const off = await get(registry, '/metrics', {}, env);
    expect(off.status).toBe(404);
    const wrong = await get(
      registry,
      '/metrics',
      { authorization: 'Bearer nope' },
      { ...env, EDGESHARD_METRICS_TOKEN: 'm' },
    );
    expect(wrong.status).toBe(401);
    expect(((await wrong.json()) as { error: { message: string } }).error.message).toBe(
      'wrong metrics token: use the value of EDGESHARD_METRICS_TOKEN',
    );
    const statusToken = await get(
      registry,
      '/metrics',
      { authorization: 'Bearer s' },
      { ...env, EDGESHARD_STATUS_TOKEN: 's' },
    );
    expect(statusToken.status).toBe(200);
  });

  it('counts handled and failed events per type, unhandled types, and the REST proxy figures', async () => {
    const registry = await busyRegistry();
    const res = await get(
      registry,
      '/metrics',
      { authorization: 'Bearer m' },
      { ...env, EDGESHARD_METRICS_TOKEN: 'm' },
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = await res.text();
    const iso = registry.metrics.isolate;
    const lines = text.split('\n');
    expect(lines).toContain(
      `edgeshard_worker_events_total{isolate="${iso}",platform="discord",type="MESSAGE_CREATE",outcome="handled"} 2`,
    );
    expect(lines).toContain(
      `edgeshard_worker_events_total{isolate="${iso}",platform="discord",type="MESSAGE_CREATE",outcome="failed"} 1`,
    );
    expect(lines).toContain(
      `edgeshard_worker_handler_duration_ms_count{isolate="${iso}",platform="discord",type="MESSAGE_CREATE"} 3`,
    );
    expect(lines).toContain(
      `edgeshard_worker_unhandled_events_total{isolate="${iso}",platform="discord",type="TYPING_START"} 1`,
    );
    expect(lines).toContain('# TYPE edgeshard_rest_queue_depth gauge');
    expect(lines.filter((l) => l.startsWith('edgeshard_rest_ratelimited_total{'))).toEqual([
      expect.stringMatching(/^edgeshard_rest_ratelimited_total\{scope="user"\} \d+$/),
      expect.stringMatching(/^edgeshard_rest_ratelimited_total\{scope="global"\} \d+$/),
      expect.stringMatching(/^edgeshard_rest_ratelimited_total\{scope="shared"\} \d+$/),
    ]);
  });

  it('shows the same figures in /status.json and on the status page', async () => {
    const registry = await busyRegistry();
    const bindings = { ...env, EDGESHARD_STATUS_TOKEN: 's' };
    const json = (await (
      await get(registry, '/status.json', { authorization: 'Bearer s' }, bindings)
    ).json()) as ConsoleData;
    expect(json.worker.events['discord:MESSAGE_CREATE']).toMatchObject({
      handled: 2,
      failed: 1,
      // A plain Error shows by name only: its message may hold user data.
      lastError: { error: 'Error', eventId: 'discord:0:s:2' },
    });
    expect(json.worker.unhandled).toEqual({ 'discord:TYPING_START': 1 });
    expect(typeof json.rest.queued).toBe('number');
    const html = await (await get(registry, '/status', { authorization: 'Bearer s' }, bindings)).text();
    expect(html).toMatch(
      /<tr data-key="discord:MESSAGE_CREATE" class="failing"><td>discord:MESSAGE_CREATE<\/td><td class="n">2<\/td>\s*<td class="n alert">1<\/td><td class="n">33.3%<\/td>/,
    );
    expect(html).toContain('<span class="tag">discord:TYPING_START × 1</span>');
  });
});

describe('Prometheus rendering', () => {
  it('writes cumulative histogram buckets, sum and count', () => {
    const buckets = [1, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 1];
    const text = renderPrometheus(
      {
        isolate: 'i1',
        startedAt: 1000,
        events: {
          'qq:GROUP_AT_MESSAGE_CREATE': {
            handled: 3,
            failed: 1,
            buckets,
            durationMsSum: 20_042,
            durationMsMax: 20_000,
            lastError: null,
          },
        },
        unhandled: {},
      },
      null,
      null,
    );
    const histogram = text.split('\n').filter((l) => l.startsWith('edgeshard_worker_handler_duration_ms'));
    const labels = 'isolate="i1",platform="qq",type="GROUP_AT_MESSAGE_CREATE"';
    expect(histogram).toEqual([
      ...[
        ['5', 1],
        ['10', 1],
        ['25', 3],
        ['50', 3],
        ['100', 3],
        ['250', 3],
        ['500', 3],
        ['1000', 3],
        ['2500', 3],
        ['5000', 3],
        ['10000', 3],
        ['+Inf', 4],
      ].map(([le, n]) => `edgeshard_worker_handler_duration_ms_bucket{${labels},le="${le}"} ${n}`),
      `edgeshard_worker_handler_duration_ms_sum{${labels}} 20042`,
      `edgeshard_worker_handler_duration_ms_count{${labels}} 4`,
    ]);
  });
});

describe('Analytics Engine data points', () => {
  it('writes one point per handled event: type index, outcome, event id, duration', async () => {
    const points: { indexes?: string[]; blobs?: string[]; doubles?: number[] }[] = [];
    const analytics = { writeDataPoint: (p: (typeof points)[number]) => void points.push(p) };
    const registry = new Registry([onDiscord('MESSAGE_CREATE', () => undefined)]);
    const meta = { id: 'discord:0:s:9', platform: 'discord' as const, shard: 0, type: 'MESSAGE_CREATE' };
    await registry.dispatch(
      { platform: 'discord', type: 'MESSAGE_CREATE', data: {} },
      createHandlerContext({ ...env, EDGESHARD_ANALYTICS: analytics as never }, meta, () => undefined),
    );
    expect(points.map((p) => [p.indexes, p.blobs, p.doubles?.length, p.doubles?.[1]])).toEqual([
      [['MESSAGE_CREATE'], ['event', 'discord', 'MESSAGE_CREATE', 'handled', 'discord:0:s:9'], 2, 1],
    ]);
  });

  it('observes each REST call with its route template, result, wait and the event id that made it', async () => {
    const observed: RequestObservation[] = [];
    const core = new RestProxyCore({
      apiUrl: 'http://wire.emulator.test/api/v10',
      egress: directEgress('test-token'),
      globalPerSecond: 50,
      observe: (o) => void observed.push(o),
    });
    await core.request({ method: 'GET', path: '/users/@me', eventId: 'discord:0:s:10' });
    await core.request({ method: 'POST', path: '/channels/1/messages', body: '{"content":"x"}' });
    expect(observed.map((o) => [o.method, o.route, o.result, o.scope, o.eventId, o.queued])).toEqual([
      ['GET', 'GET /users/@me', '200', '', 'discord:0:s:10', 0],
      ['POST', 'POST /channels/:id/messages', '404', '', '', 0],
    ]);
  });
});
