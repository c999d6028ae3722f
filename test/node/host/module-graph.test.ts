// The host's module graph, its metrics server, its fetch and its batch transport load none of what costs
// RSS for nothing (bench/RESULTS.md): Node's bundled undici (11 MB; shard-host/net/http.ts says how it gets
// in), the cjs-module-lexer that an ESM import of a CommonJS package starts (8 MB; shard-host/cjs.ts), and
// discord-api-types at run time (protocol/discord-gateway.ts). Run in a child process: vitest's own process
// has loaded them all long ago.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

const CHILD = `
const graph = ['config', 'log', 'metrics/registry', 'platforms/index', 'run-platform', 'gateway/index', 'lease/index'];
await Promise.all(graph.map((m) => import('./shard-host/' + m + '.ts')));
const { startMetricsServer } = await import('./shard-host/metrics/server.ts');
const { createRegistry } = await import('./shard-host/metrics/registry.ts');
const { httpFetch } = await import('./shard-host/net/http.ts');
const { HttpTransport } = await import('./shard-host/forwarder/http-transport.ts');
const metrics = await startMetricsServer({ port: 0, registry: createRegistry({ host: 't' }), health: () => ({ ok: true }) });
const url = 'http://127.0.0.1:' + metrics.port;
const health = await httpFetch(url + '/healthz', { method: 'GET', headers: {} });
const transport = new HttpTransport({ workerUrl: url, secret: 's' });
const batch = await transport.send('{}');
await transport.close();
await metrics.close();
console.log(JSON.stringify({
  health: health.status,
  batch: batch.kind === 'answer' ? batch.status : batch.kind,
  undici: process.moduleLoadList.filter((m) => m.includes('undici')),
  cjsLexer: process.moduleLoadList.filter((m) => m.includes('cjs-module-lexer')),
  discordApiTypes: Object.keys((await import('node:module')).createRequire(import.meta.url).cache).filter((p) =>
    p.includes('discord-api-types'),
  ),
}));
`;

describe("the host's graph", () => {
  it('serves metrics, fetches and sends a batch without loading undici, the CommonJS lexer or discord-api-types', () => {
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', CHILD], { cwd: ROOT, encoding: 'utf8' });
    expect(child.stderr).toBe('');
    expect(JSON.parse(child.stdout)).toEqual({
      health: 200,
      batch: 404,
      undici: [],
      cjsLexer: [],
      discordApiTypes: [],
    });
  });
});
