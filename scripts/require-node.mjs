// Every entry point (npm start, npm test, shard-host, emulator) imports this first. It is plain JavaScript
// so that an old Node prints one clear line instead of failing on TypeScript syntax. The sources are
// TypeScript run as they are: Node strips the types itself from 22.18 on (process.features.typescript).
const major = Number(process.versions.node.split('.')[0]);
if (major < 22 || !process.features.typescript) {
  console.error(
    `edgeshard needs Node.js 22.18 or newer (found v${process.versions.node}). With nothing but npm: \`npm install --prefix ~/.node22 node@22\` then \`export PATH=~/.node22/node_modules/.bin:$PATH\`; or \`nvm install 22\`, \`fnm install 22\`, \`volta install node@22\` (README, "Get going").`,
  );
  process.exit(1);
}
