// The Worker under `wrangler dev` for the benchmark: the same config and command as scripts/lib/stack.ts,
// but with wrangler's per-request log lines off (`--log-level warn`). Those lines cost the local chain a few
// ms per request and production has no such thing; the chain that remains is measured separately (a no-op
// route) and reported apart from the proxy's own cost.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, spawnManaged, waitFor, type Managed } from '../../scripts/lib/proc.ts';
import { ROOT } from '../../scripts/lib/stack.ts';

export async function startBenchWorker(vars: Record<string, string>): Promise<Managed & { url: string }> {
  const persistTo = join(mkdtempSync(join(tmpdir(), 'edgeshard-bench-rest-')), 'wrangler');
  mkdirSync(persistTo, { recursive: true });
  // Secrets go through an env file readable only by us, not the command line.
  const envFile = join(persistTo, 'worker.env');
  writeFileSync(
    envFile,
    Object.entries(vars)
      .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
      .join('\n') + '\n',
    { mode: 0o600 },
  );
  const port = await freePort();
  const args = [
    `${ROOT}node_modules/wrangler/bin/wrangler.js`,
    'dev',
    '--config',
    `${ROOT}test/e2e/wrangler.e2e.toml`,
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
    '--persist-to',
    persistTo,
    '--show-interactive-dev-session=false',
    '--log-level',
    'warn',
    '--env-file',
    envFile,
  ];
  const proc = spawnManaged('worker', process.execPath, args, { env: { WRANGLER_SEND_METRICS: 'false' } });
  const url = `http://127.0.0.1:${port}`;
  await waitFor('the Worker to answer', async () => ((await fetch(`${url}/`)).ok ? true : undefined), {
    proc,
    timeoutMs: 90_000,
    intervalMs: 250,
  });
  return Object.assign(proc, { url });
}
