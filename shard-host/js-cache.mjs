// The host's sources as plain JavaScript, stripped of their types once and kept in
// `<package>/.edgeshard/js-cache/<key>/` (never committed: .edgeshard/ is ignored). Running them instead of
// the .ts files spares every start Node's type stripper: about 25 MB of RSS and 230 ms of CPU on the
// host's module graph (bench/RESULTS.md). The key covers the Node version and every source file's size and
// mtime, so an edited file makes a new cache. The stripping runs in a child process (the stripper's memory
// never enters the host). Anything that goes wrong means "no cache": the caller runs the .ts files.
// Plain JavaScript, like bin.mjs, so it runs before any type stripping.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
/** The directories the host's module graph lives in (imports elsewhere fail the cache, which is then unused). */
export const HOST_SOURCES = ['protocol', 'coordination', 'shard-host'];
/** Caches kept, the newest included. */
const KEEP = 4;

function sourceFiles(sources) {
  const out = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) out.push(path);
    }
  };
  for (const dir of sources) walk(join(ROOT, dir));
  return out.sort();
}

/** `import … from './x.ts'`, `export … from '../y.ts'`, `import('./z.ts')`: relative specifiers only. */
const SPECIFIER = /((?:from|import)\s*\(?\s*['"])(\.{1,2}\/[^'"]+)\.ts(['"])/g;

function build(dir, files) {
  const { stripTypeScriptTypes } = process.getBuiltinModule('node:module');
  const tmp = `${dir}.${process.pid}.tmp`;
  for (const file of files) {
    const js = stripTypeScriptTypes(readFileSync(file, 'utf8'), { mode: 'strip' }).replace(SPECIFIER, '$1$2.js$3');
    const out = join(tmp, relative(ROOT, file)).replace(/\.ts$/, '.js');
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, js);
  }
  // The package type (ESM) applies to the copies too.
  writeFileSync(join(tmp, 'package.json'), '{"type":"module"}\n');
  try {
    renameSync(tmp, dir);
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    if (!existsSync(dir)) throw err; // another host built the same cache at the same time: use theirs
  }
  // Older caches (edited sources) are removed, keeping a few: a host still running older code may yet load
  // a module of its cache lazily (the egress relay).
  const parent = dirname(dir);
  const caches = readdirSync(parent)
    .filter((name) => /^[0-9a-f]{16}$/.test(name))
    .map((name) => ({ path: join(parent, name), at: statSync(join(parent, name)).mtimeMs }))
    .sort((a, b) => b.at - a.at);
  for (const old of caches.slice(KEEP)) rmSync(old.path, { recursive: true, force: true });
}

/** The cached JavaScript of `source` (a path under the package, e.g. 'shard-host/main.ts'), or null.
 *  `sources`: the directories its module graph lives in (the benchmarks add their own to the host's). */
export function cachedModule(source, sources = HOST_SOURCES) {
  try {
    const files = sourceFiles(sources);
    const hash = createHash('sha256').update(process.version).update(sources.join(','));
    for (const f of files) {
      const s = statSync(f);
      hash.update(`${relative(ROOT, f)}:${s.size}:${s.mtimeMs}\n`);
    }
    const dir = join(ROOT, '.edgeshard', 'js-cache', hash.digest('hex').slice(0, 16));
    if (!existsSync(dir)) {
      const child = spawnSync(process.execPath, ['--no-warnings', fileURLToPath(import.meta.url), dir, ...sources], {
        stdio: ['ignore', 'ignore', 'pipe'],
        encoding: 'utf8',
      });
      if (child.status !== 0 || !existsSync(dir)) return null;
    }
    const file = join(dir, source.replace(/\.ts$/, '.js'));
    return existsSync(file) ? file : null;
  } catch {
    return null;
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  build(process.argv[2], sourceFiles(process.argv.slice(3)));
}
