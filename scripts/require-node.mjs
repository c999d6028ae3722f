// Every entry point (npm start, npm test, shard-host, emulator) imports this first. It is plain JavaScript
// so that an old Node prints one clear line instead of failing on TypeScript syntax.
const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
  console.error(
    `edgeshard needs Node.js 22 or newer (found v${process.versions.node}); install it from https://nodejs.org or with \`nvm install 22\``,
  );
  process.exit(1);
}
