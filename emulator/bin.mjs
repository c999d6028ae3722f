#!/usr/bin/env node
// Plain JavaScript on purpose: it must run on old Node versions long enough to say that Node 22 is needed
// (the emulator is TypeScript run through Node 22's type stripping).
const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
  console.error(`edgeshard needs Node.js 22 or newer (found v${process.versions.node}); install it from https://nodejs.org or with nvm`);
  process.exit(1);
}
await import('./main.ts');
