#!/usr/bin/env node
// `npm start`. Plain JavaScript so an old Node gets one clear line instead of a syntax error.
const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
  console.error(`edgeshard needs Node.js 22 or newer (found v${process.versions.node}); install it from https://nodejs.org or with \`nvm install 22\``);
  process.exit(1);
}
await import('./start.ts');
