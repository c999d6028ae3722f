#!/usr/bin/env node
// `npm start`.
import './require-node.mjs';

await import('./start.ts');
