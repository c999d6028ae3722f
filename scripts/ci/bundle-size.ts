// CI: proves the Worker bundles for production (`wrangler deploy --dry-run`, no account needed) and
// reports its size against the Workers limit on a Worker's size after compression: 3 MB on the Free plan,
// 10 MB on Paid (Cloudflare docs, Workers > Platform > Limits > Worker size). Fails above the Paid limit,
// warns above the Free one.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { ROOT } from '../lib/stack.ts';

const MB = 1000 * 1000; // Cloudflare states the limits in MB
const FREE = 3 * MB;
const PAID = 10 * MB;

const outdir = mkdtempSync(join(tmpdir(), 'edgeshard-bundle-'));
try {
  const run = spawnSync(
    process.execPath,
    [`${ROOT}node_modules/wrangler/bin/wrangler.js`, 'deploy', '--dry-run', '--outdir', outdir, '--env', ''],
    {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false' },
    },
  );
  if (run.status !== 0) {
    console.error(`wrangler deploy --dry-run failed (exit ${run.status}):\n${run.stdout}\n${run.stderr}`);
    process.exit(1);
  }
  // Everything wrangler would upload: the bundle and any additional modules, not the source map.
  const files = readdirSync(outdir).filter((f) => /\.(m?js|wasm)$/.test(f));
  const raw = files.reduce((n, f) => n + readFileSync(join(outdir, f)).length, 0);
  const gzip = files.reduce((n, f) => n + gzipSync(readFileSync(join(outdir, f)), { level: 9 }).length, 0);
  const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
  const share = (limit: number) => `${((gzip / limit) * 100).toFixed(1)} %`;
  console.log(
    `Worker bundle (${files.join(', ')}): ${kib(raw)} raw, ${kib(gzip)} gzip — ${share(FREE)} of the Free plan's 3 MB, ${share(PAID)} of the Paid plan's 10 MB (compressed)`,
  );
  if (gzip > PAID) {
    console.error('the Worker is over the 10 MB compressed limit: wrangler deploy will be refused');
    process.exit(1);
  }
  if (gzip > FREE)
    console.warn('warning: the Worker is over the Free plan limit (3 MB compressed); it needs Workers Paid');
} finally {
  rmSync(outdir, { recursive: true, force: true });
}
