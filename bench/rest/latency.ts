// The latency the proxy adds, defined as: (time of a request through the proxy) − (time of the same request
// sent directly to the emulator from the same place). Samples are interleaved — direct, no-op Worker route,
// proxy, proxy core in-process — so each quadruple sees the same machine load, and percentiles are taken of
// the per-sample differences. The no-op route (`GET /` on the same Worker) is wrangler dev's local chain
// (Node dev proxy → workerd entry → the Worker and back), which a handler calling the Durable Object from
// inside the Worker does not pay and production replaces with the network path to Cloudflare; subtracting
// it leaves the proxy's own cost: the route, the Worker → DO call, the limiter and the DO's fetch.
// The request is an interaction callback with a fresh id each time: exempt from the global limit and never
// rate limited, so no sample waits for a limit.
import type { RestProxyCore } from '../../workers/rest/proxy.ts';

export interface Percentiles {
  p50: number;
  p99: number;
}

export interface LatencyReport {
  direct: Percentiles;
  noopRoute: Percentiles;
  proxy: Percentiles;
  /** proxy − direct, per sample. */
  added: Percentiles;
  /** proxy − direct − no-op route, per sample: the proxy without wrangler dev's chain. */
  addedWithoutChain: Percentiles;
  /** in-process core − direct, per sample: the limiter and transport alone. */
  addedInProcess: Percentiles;
}

const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const both = (xs: number[]): Percentiles => ({
  p50: Number(pct(xs, 50).toFixed(2)),
  p99: Number(pct(xs, 99).toFixed(2)),
});

async function time(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

export async function measureLatency(opts: {
  apiUrl: string;
  workerUrl: string;
  token: string;
  core: RestProxyCore;
  samples: number;
}): Promise<LatencyReport> {
  let next = 0;
  const callback = () => {
    const i = next++;
    return {
      path: `/interactions/${1300000000000000000n + BigInt(i)}/lat${i}/callback`,
      body: '{"type":4,"data":{"content":"x"}}',
    };
  };
  const post = (base: string) => () => {
    const { path, body } = callback();
    return fetch(`${base}${path}`, {
      method: 'POST',
      headers: { authorization: `Bot ${opts.token}`, 'content-type': 'application/json' },
      body,
    }).then((r) => r.arrayBuffer());
  };
  const steps = {
    direct: post(opts.apiUrl),
    noopRoute: () => fetch(`${opts.workerUrl}/`).then((r) => r.arrayBuffer()),
    proxy: post(`${opts.workerUrl}/api/v10`),
    core: () => {
      const { path, body } = callback();
      return opts.core.request({ method: 'POST', path, body });
    },
  };
  for (let i = 0; i < 30; i++) for (const step of Object.values(steps)) await step(); // warm-up
  const t = { direct: [] as number[], noopRoute: [] as number[], proxy: [] as number[], core: [] as number[] };
  for (let i = 0; i < opts.samples; i++) {
    t.direct.push(await time(steps.direct));
    t.noopRoute.push(await time(steps.noopRoute));
    t.proxy.push(await time(steps.proxy));
    t.core.push(await time(steps.core));
  }
  const diff = (f: (i: number) => number) => t.direct.map((_, i) => f(i));
  return {
    direct: both(t.direct),
    noopRoute: both(t.noopRoute),
    proxy: both(t.proxy),
    added: both(diff((i) => t.proxy[i]! - t.direct[i]!)),
    addedWithoutChain: both(diff((i) => t.proxy[i]! - t.direct[i]! - t.noopRoute[i]!)),
    addedInProcess: both(diff((i) => t.core[i]! - t.direct[i]!)),
  };
}
