#!/usr/bin/env node
// The `edgeshard-emulator` command.
import '../scripts/require-node.mjs';

if (process.argv[2] === '--help' || process.argv[2] === '-h') {
  const { EMULATOR_HELP } = await import('./help.ts');
  process.stdout.write(EMULATOR_HELP);
  process.exit(0);
}
await import('./main.ts');
