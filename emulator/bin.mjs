#!/usr/bin/env node
// The `edgeshard-emulator` command.
import '../scripts/require-node.mjs';

await import('./main.ts');
