#!/usr/bin/env node
// The `shard-host` command.
import '../scripts/require-node.mjs';

await import('./main.ts');
