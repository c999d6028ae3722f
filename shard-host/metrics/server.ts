// /metrics (Prometheus text from prom-client) and /healthz on EDGESHARD_METRICS_PORT. Binds 127.0.0.1 by
// default: metrics name guilds and hosts, so exposing them is an explicit choice.
import type { Server } from 'node:http';
import { nodeHttp } from '../net/http.ts';
import type { Registry } from 'prom-client';

export interface Health {
  ok: boolean;
  [detail: string]: unknown;
}

export interface MetricsServer {
  port: number;
  close(): Promise<void>;
}

export async function startMetricsServer(options: {
  port: number;
  host?: string;
  registry: Registry;
  health: () => Health;
}): Promise<MetricsServer> {
  const server: Server = nodeHttp.createServer(async (req, res) => {
    if (req.url === '/metrics') {
      res.setHeader('content-type', options.registry.contentType);
      res.end(await options.registry.metrics());
    } else if (req.url === '/healthz') {
      const health = options.health();
      res.statusCode = health.ok ? 200 : 503;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(health));
    } else {
      res.statusCode = 404;
      res.end('not found: try /metrics or /healthz\n');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', resolve);
  });
  server.unref();
  const { port } = server.address() as { port: number };
  return { port, close: () => new Promise((r) => server.close(() => r())) };
}
