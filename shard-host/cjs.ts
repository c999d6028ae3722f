// The host's CommonJS dependencies, loaded with require instead of `import`: an ESM import of a CommonJS
// package makes Node run its cjs-module-lexer (WebAssembly) to find the package's named exports, which
// costs the host about 8 MB of RSS for nothing it uses (bench/RESULTS.md). Types come from the packages.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export const WebSocket = require('ws') as typeof import('ws').default;
export type WebSocket = InstanceType<typeof WebSocket>;

export const promClient = require('prom-client') as typeof import('prom-client');
