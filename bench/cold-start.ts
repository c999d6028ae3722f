// node bench/cold-start.ts <bundle-dir> [<bundle-dir> …] — what a Worker bundle costs at startup: the time
// V8 takes to parse and evaluate it (the module's top level), in fresh Node processes, which run the same
// engine as workerd. Bundles come from `npx wrangler deploy --dry-run --outdir <dir>`. Cloudflare reports a
// deployed Worker's own startup time on `wrangler deploy`; this is the offline stand-in, for comparing two
// bundles on one machine. `cloudflare:workers` is replaced by a stub class (the bundle's only runtime import).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const RUNS = Number(process.env.RUNS ?? 25);
const dirs = process.argv.slice(2);
if (dirs.length === 0) {
  console.error('usage: node bench/cold-start.ts <wrangler --dry-run outdir> [...]');
  process.exit(1);
}

function prepared(dir: string): string {
  const source = readFileSync(join(dir, 'index.js'), 'utf8').replace(
    /from\s*["']cloudflare:workers["']/g,
    `from "data:text/javascript,export class DurableObject{constructor(c,e){this.ctx=c;this.env=e}}export class WorkerEntrypoint{}"`,
  );
  const file = join(mkdtempSync(join(tmpdir(), 'cold-')), 'index.mjs');
  writeFileSync(file, source);
  return file;
}

const probe = (file: string) =>
  `const t=performance.now();await import(${JSON.stringify(file)});process.stdout.write(String(performance.now()-t))`;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

// Interleaved, so a busy moment on a shared machine hits every bundle alike.
const files = dirs.map(prepared);
const times: number[][] = dirs.map(() => []);
for (let i = 0; i < RUNS; i++) {
  files.forEach((file, j) => {
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', probe(file)], { encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`${dirs[j]}: ${run.stderr}`);
    times[j]!.push(Number(run.stdout));
  });
}
dirs.forEach((dir, j) => {
  const bytes = readFileSync(join(dir, 'index.js'));
  console.log(
    JSON.stringify({
      bundle: dir,
      rawBytes: statSync(join(dir, 'index.js')).size,
      gzipBytes: gzipSync(bytes).byteLength,
      evalMsMedian: Number(median(times[j]!).toFixed(2)),
      evalMsMin: Number(Math.min(...times[j]!).toFixed(2)),
      runs: RUNS,
    }),
  );
});
