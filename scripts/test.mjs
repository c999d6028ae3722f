#!/usr/bin/env node
// `npm test`: type-check both runtimes, then every vitest project (node, workers, e2e) in one run.
import './require-node.mjs';
import { spawnSync } from 'node:child_process';

const bin = (name) => new URL(`../node_modules/.bin/${name}`, import.meta.url).pathname;
const steps = [
  ['format (prettier --check; `npm run format` fixes)', bin('prettier'), ['--check', '.', '--log-level', 'warn']],
  ['type-check (node side)', bin('tsc'), ['-p', 'tsconfig.json']],
  ['type-check (Workers side)', bin('tsc'), ['-p', 'workers/tsconfig.json']],
  [
    'vitest',
    bin('vitest'),
    ['run', '--reporter=default', '--reporter=./test/summary-reporter.ts', ...process.argv.slice(2)],
  ],
];
for (const [name, cmd, args] of steps) {
  console.log(`\n▶ ${name}`);
  const { status } = spawnSync(cmd, args, { stdio: 'inherit' });
  if (status !== 0) {
    console.error(`✖ ${name} failed (exit ${status})`);
    process.exit(status ?? 1);
  }
}
