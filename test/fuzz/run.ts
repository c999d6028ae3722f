// `npm run fuzz [seconds per target]`: every fuzz target for minutes instead of the short fixed-seed run
// of `npm test` (default 30 s each: 12 targets ≈ 6 min). Runs the node and workers fuzz tests with
// FUZZ_SECONDS set, then prints cases tried per target. A failure prints fast-check's counterexample and
// seed; re-run it with `fc.assert(..., { seed, path })`.
import { spawnSync } from 'node:child_process';

const seconds = Number(process.argv[2] ?? process.env.FUZZ_SECONDS ?? '30');
if (!Number.isFinite(seconds) || seconds <= 0) {
  console.error('usage: npm run fuzz [seconds per target, default 30]');
  process.exit(2);
}
const vitest = new URL('../../node_modules/.bin/vitest', import.meta.url).pathname;
const rows: { fuzz: string; cases: number; ms: number; seed: number }[] = [];
let failed = false;
for (const [project, file] of [
  ['node', 'test/node/fuzz.test.ts'],
  ['workers', 'test/workers/fuzz.test.ts'],
] as const) {
  console.log(`▶ fuzz (${project}), ${seconds} s per target`);
  const run = spawnSync(vitest, ['run', '--project', project, file], {
    env: { ...process.env, FUZZ_SECONDS: String(seconds) },
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  for (const line of run.stdout.split('\n')) {
    const json = /\{"fuzz".*\}/.exec(line)?.[0]; // vitest prefixes test output with colour codes
    if (json) rows.push(JSON.parse(json) as (typeof rows)[number]);
  }
  if (run.status !== 0) {
    failed = true;
    console.error(run.stdout.slice(-8000), run.stderr.slice(-4000));
  }
}
console.log('\ncases tried per target:');
for (const r of rows)
  console.log(`${String(r.cases).padStart(10)}  ${(r.ms / 1000).toFixed(1).padStart(6)} s  seed ${r.seed}  ${r.fuzz}`);
console.log(`${String(rows.reduce((n, r) => n + r.cases, 0)).padStart(10)}  total`);
process.exit(failed ? 1 : 0);
