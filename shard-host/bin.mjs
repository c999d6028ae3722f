#!/usr/bin/env node
// The `shard-host` command: `shard-host` runs a host; `shard-host <command>` runs a subcommand
// (cli/commands.ts); `shard-host --help` lists them.
import '../scripts/require-node.mjs';
import { pathToFileURL } from 'node:url';

const { isCommand, runCommand } = await import('./cli/commands.ts');
const first = process.argv[2];

if (isCommand(first)) {
  try {
    process.exitCode = await runCommand(process.argv.slice(2), process.env);
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  }
} else {
  // The host runs from its type-stripped JavaScript cache when it has one (js-cache.mjs), else from source.
  const { cachedModule } = await import('./js-cache.mjs');
  const cached = cachedModule('shard-host/main.ts');
  await import(cached ? pathToFileURL(cached).href : './main.ts');
}
