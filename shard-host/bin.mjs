#!/usr/bin/env node
// The `shard-host` command.
import '../scripts/require-node.mjs';

if (process.argv[2] === '--help' || process.argv[2] === '-h') {
  const { hostHelp } = await import('./help.ts');
  process.stdout.write(hostHelp());
  process.exit(0);
}
await import('./main.ts');
