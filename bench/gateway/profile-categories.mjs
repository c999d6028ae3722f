// Groups a `node --cpu-prof` profile of the bench client into the host path's items (bench/RESULTS.md,
// "Where each microsecond per event goes"): each sample goes to the category of its deepest matching frame
// (module loading first, whatever the depth). Usage: node bench/gateway/profile-categories.mjs FILE EVENTS
import { readFileSync } from 'node:fs';
const p = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const events = Number(process.argv[3]);
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const cats = [
  ['GC', (k) => k.startsWith('(garbage collector)')],
  ['idle', (k) => k.startsWith('(idle)')],
  [
    'startup (module loading)',
    (k) =>
      /wrapSafe|compileSourceTextModule|parseSource|loader|internalModuleStat|__require|compileForInternalLoader|moduleStrategies|translators|esm\//.test(
        k,
      ),
  ],
  ['inflate', (k) => /processChunkSync|inflate\.[jt]s|crc32/.test(k)],
  ['envelope (splice d, build JSON)', (k) => /spoolableEvent|lazyEnvelope|raw-data\.[jt]s|envelope\.[jt]s/.test(k)],
  [
    'spool append (write syscall)',
    (k) => /^append file\.[jt]s|#write file\.[jt]s|eventRecord|record\.[jt]s|^frame /.test(k),
  ],
  ['fsync', (k) => /datasync|fdatasync|#syncNow| sync file\.[jt]s/.test(k)],
  ['batch body', (k) => /batchBody/.test(k)],
  ['HMAC', (k) => /signedHeaders|signing\.[jt]s|^sign |webcrypto|mac:|hmac/i.test(k)],
  [
    'ack (verdicts, spool.ack, metrics, sessions)',
    (k) =>
      /#finish|verdict|^ack |entries\.[jt]s|delivery\.[jt]s|tracker\.[jt]s|histogram|counter\.js|onAcked|clients\.ts:9[0-9]/.test(
        k,
      ),
  ],
  [
    'HTTP (request, response, loopback TCP)',
    (k) =>
      /_http_|parserOn|HTTPParser|writev|http-transport|undici|client\.js|client-h1|pool|dispatcher|readable\.js|llhttp|wasm-function/.test(
        k,
      ),
  ],
  ['forwarder scheduling (timers, state)', (k) => /forwarder\.[jt]s|pack\.[jt]s|listOnTimeout|timers/.test(k)],
  ['JSON.parse + shard state machine', (k) => /shard\.[jt]s|protocol\.[jt]s|dialect/.test(k)],
  [
    'ws framing, socket read',
    (k) => /receiver\.js|websocket\.js|connection\.[jt]s|onStreamRead|buffer-util|permessage/.test(k),
  ],
];
const sums = new Map();
let total = 0;
for (let i = 0; i < p.samples.length; i++) {
  const d = p.timeDeltas[i] ?? 0;
  total += d;
  let cur = p.samples[i];
  let cat = 'other';
  const keys = [];
  for (let c = cur; c !== undefined; c = parent.get(c)) {
    const n = byId.get(c);
    keys.push(
      `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.replace(/^.*\//, '')}:${n.callFrame.lineNumber}`,
    );
  }
  if (
    keys.some((k) =>
      /transformSync|parseTypeScript|wrapSafe|compileSourceTextModule|loadESM|moduleLoad|ModuleJob|link |instantiate|importModuleDynamically|onImport|require /.test(
        k,
      ),
    )
  )
    ((cur = undefined), (cat = 'startup (module loading)'));
  outer: while (cur !== undefined) {
    const n = byId.get(cur);
    const k = `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.replace(/^.*\//, '')}:${n.callFrame.lineNumber}`;
    for (const [name, f] of cats)
      if (f(k)) {
        cat = name;
        break outer;
      }
    cur = parent.get(cur);
  }
  sums.set(cat, (sums.get(cat) ?? 0) + d);
}
const busy = total - (sums.get('idle') ?? 0) - (sums.get('startup (module loading)') ?? 0);
console.log(
  `busy ms (excluding idle and startup) ${(busy / 1000).toFixed(0)}; per event µs ${(busy / events).toFixed(1)}`,
);
for (const [k, v] of [...sums].sort((a, b) => b[1] - a[1]))
  console.log(
    `| ${k} | ${(v / 1000).toFixed(0)} ms | ${(v / events).toFixed(1)} µs | ${((100 * v) / busy).toFixed(1)}% |`,
  );
