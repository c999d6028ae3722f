// node bench/cold-start-dev.ts <repo root> [<repo root> …] — time from starting `wrangler dev` on a tree's
// wrangler.toml to the first answer of GET / (bundling, workerd start, the Worker's first evaluation, the
// first request), interleaved across trees, RUNS times (default 5). Coarser than bench/cold-start.ts
// (wrangler's own start dominates), but end to end. A "before" tree: `git archive <commit> | tar -x -C dir`
// and a node_modules symlink.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, spawnManaged, waitFor } from '../scripts/lib/proc.ts';

const RUNS = Number(process.env.RUNS ?? 5);
const roots = process.argv.slice(2).map((r) => r.replace(/\/?$/, '/'));
if (roots.length === 0) {
  console.error('usage: node bench/cold-start-dev.ts <repo root> [...]');
  process.exit(1);
}

async function once(root: string): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'cold-dev-'));
  const envFile = join(dir, 'worker.env');
  writeFileSync(envFile, 'EDGESHARD_SECRET="cold-start"\nDISCORD_TOKEN="t"\n', { mode: 0o600 });
  const port = await freePort();
  const start = performance.now();
  const proc = spawnManaged(
    'worker',
    process.execPath,
    [
      `${root}node_modules/wrangler/bin/wrangler.js`,
      'dev',
      '--config',
      `${root}wrangler.toml`,
      '--ip',
      '127.0.0.1',
      '--port',
      String(port),
      '--persist-to',
      join(dir, 'state'),
      '--show-interactive-dev-session=false',
      '--log-level',
      'warn',
      '--env-file',
      envFile,
    ],
    { env: { WRANGLER_SEND_METRICS: 'false' } },
  );
  try {
    await waitFor(
      'the Worker to answer',
      async () => ((await fetch(`http://127.0.0.1:${port}/`).catch(() => undefined))?.ok ? true : undefined),
      { proc, timeoutMs: 90_000, intervalMs: 20 },
    );
    return performance.now() - start;
  } finally {
    await proc.stop('SIGINT');
  }
}

const times: number[][] = roots.map(() => []);
for (let i = 0; i < RUNS; i++) for (const [j, root] of roots.entries()) times[j]!.push(await once(root));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
for (const [j, root] of roots.entries())
  console.log(
    JSON.stringify({ root, firstAnswerMsMedian: Math.round(median(times[j]!)), runs: times[j]!.map(Math.round) }),
  );
