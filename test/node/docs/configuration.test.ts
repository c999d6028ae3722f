// docs/configuration.md against the code: every setting the code reads is documented, every documented
// setting is read, and each default the code defines is the one the table shows.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONFIG_NAMES } from '../../../shard-host/config.ts';

const root = new URL('../../../', import.meta.url).pathname;
const read = (path: string) => readFileSync(join(root, path), 'utf8');

// Names the docs describe ahead of the code landing in this branch, and names the code still reads that
// the docs have dropped (the design removes them). Each entry is tolerated only while it differs; once the
// code agrees it is an ordinary row. Empty both lists after the merge that lands them.
const AHEAD = new Set([
  'EDGESHARD_MAX_ATTEMPTS', // forwarder: poison events
  'QQ_APP_ID', // qq: the host's QQ shards (shard-host/qq/config.ts)
  'QQ_APP_SECRET',
  'QQ_API_URL',
  'QQ_TOKEN_URL',
  'EDGESHARD_QQ_INTENTS',
  'QQ_SANDBOX',
]);
const LEAVING = new Set(['EDGESHARD_COORDINATOR']); // every host is coordinated

interface Row {
  names: string[];
  cells: string[];
}

/** The rows of the first table under `## <heading>`: names are the backticked upper-case words of cell 1. */
function table(markdown: string, heading: string): Row[] {
  const start = markdown.indexOf(`\n## ${heading}\n`);
  if (start < 0) throw new Error(`docs/configuration.md has no "## ${heading}" section`);
  const end = markdown.indexOf('\n## ', start + 1);
  const section = markdown.slice(start, end < 0 ? undefined : end);
  return section
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .map((line) => {
      const cells = line
        .split(/(?<!\\)\|/)
        .slice(1, -1)
        .map((c) => c.trim());
      return { names: [...cells[0]!.matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((m) => m[1]!), cells };
    });
}

function sourceFiles(dir: string): string[] {
  return readdirSync(join(root, dir)).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(join(root, path)).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

/** `[section]` of wrangler.toml as name → value (string values only). */
function tomlSection(toml: string, section: string): Map<string, string> {
  const start = toml.indexOf(`\n[${section}]\n`);
  if (start < 0) return new Map();
  const body = toml.slice(start + section.length + 4).split(/\n\[/)[0]!;
  return new Map([...body.matchAll(/^([A-Z][A-Z0-9_]*)\s*=\s*"([^"]*)"/gm)].map((m) => [m[1]!, m[2]!]));
}

const doc = read('docs/configuration.md');

describe('docs/configuration.md', () => {
  it('lists exactly the shard host settings the code reads, with its defaults', () => {
    const rows = table(doc, 'Shard host');
    const documented = new Set(rows.flatMap((r) => r.names.slice(0, 1)));
    const read = new Set<string>(Object.keys(CONFIG_NAMES));
    for (const file of sourceFiles('shard-host'))
      for (const m of readFileSync(join(root, file), 'utf8').matchAll(/process\.env\.([A-Z][A-Z0-9_]+)/g))
        read.add(m[1]!);
    expect([...read].filter((n) => !documented.has(n) && !LEAVING.has(n))).toEqual([]);
    expect([...documented].filter((n) => !read.has(n) && !AHEAD.has(n))).toEqual([]);
    const wrongDefaults = Object.entries(CONFIG_NAMES as Record<string, string | undefined>)
      .filter(([name, fallback]) => fallback !== undefined && documented.has(name))
      .filter(([name, fallback]) => !rows.find((r) => r.names[0] === name)!.cells[2]!.includes(`\`${fallback}\``))
      .map(([name, fallback]) => `${name}: the code's default is ${fallback}`);
    expect(wrongDefaults).toEqual([]);
  });

  it("lists exactly the Worker's settings (workers/env.ts), with wrangler.toml's values and kinds", () => {
    const rows = table(doc, 'Worker');
    const documented = new Map(rows.map((r) => [r.names[0]!, r]));
    const env = read('workers/env.ts');
    const body = /export interface Env \{([\s\S]*?)\n\}/.exec(env)![1]!;
    // Settings are the string-typed members; Durable Object and queue bindings are not settings.
    const settings = [...body.matchAll(/^\s+([A-Z][A-Z0-9_]+)\??: string;/gm)].map((m) => m[1]!);
    expect(settings.length > 10).toBe(true);
    expect(settings.filter((n) => !documented.has(n))).toEqual([]);
    expect([...documented.keys()].filter((n) => !settings.includes(n))).toEqual([]);

    const toml = read('wrangler.toml');
    for (const section of ['vars', 'env.queue.vars']) {
      for (const [name, value] of tomlSection(toml, section)) {
        const row = documented.get(name);
        expect(row?.cells[1], `${name} ([${section}])`).toBe('var');
        if (name !== 'EDGESHARD_DELIVERY' || section === 'vars')
          expect(row!.cells[3]!.includes(`\`${value}\``), `${name}: wrangler.toml says ${value}`).toBe(true);
      }
    }
    // One answer per name: a secret is never a [vars] entry, and wrangler.toml's header lists the same secrets.
    const secrets = rows.filter((r) => r.cells[1] === 'secret').map((r) => r.names[0]!);
    const header = toml.split('\n[')[0]!;
    expect(secrets.filter((n) => tomlSection(toml, 'vars').has(n) || !header.includes(n))).toEqual([]);
  });

  it('lists exactly what npm start reads', () => {
    const documented = new Set(table(doc, '`npm start`').map((r) => r.names[0]!));
    const start = read('scripts/start.ts');
    const used = new Set([...start.matchAll(/(?:setting|port)\('([A-Z][A-Z0-9_]+)'/g)].map((m) => m[1]!));
    expect([...used].filter((n) => !documented.has(n))).toEqual([]);
    expect([...documented].filter((n) => !used.has(n))).toEqual([]);
  });
});
