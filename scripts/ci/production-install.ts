// CI: the documented production install of a shard host, `npm ci --omit=dev`, in a copy of the repository.
// The host must start from it: `--help` exits 0, and against the emulator (no Worker: the host waits for a
// lease) /healthz answers. Run from the repository root: node scripts/ci/production-install.ts
import { HOST_NODE_FLAGS } from '../../shard-host/node-flags.mjs';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, spawnManaged, waitFor } from '../lib/proc.ts';
import { localSecret, ROOT, startEmulatorProcess } from '../lib/stack.ts';

const SKIP = new Set(['node_modules', '.git', '.edgeshard', '.wrangler', 'bench', 'coverage', 'dist']);
const dir = mkdtempSync(join(tmpdir(), 'edgeshard-prod-'));
const step = (what: string) => console.log(`  · ${what}`);
const started = Date.now();
try {
  cpSync(ROOT, dir, { recursive: true, filter: (src) => !SKIP.has(src.slice(ROOT.length).split('/')[0]!) });
  step(`copied the repository to ${dir}`);
  const npm = spawnSync('npm', ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund'], {
    cwd: dir,
    encoding: 'utf8',
  });
  if (npm.status !== 0) throw new Error(`npm ci --omit=dev failed (exit ${npm.status}):\n${npm.stdout}\n${npm.stderr}`);
  const size = execFileSync('du', ['-sh', join(dir, 'node_modules')], { encoding: 'utf8' }).split('\t')[0];
  step(`npm ci --omit=dev: node_modules ${size}`);

  const help = spawnSync(process.execPath, [join(dir, 'shard-host/bin.mjs'), '--help'], { encoding: 'utf8' });
  if (help.status !== 0 || !/^usage:/i.test(help.stdout))
    throw new Error(`shard-host --help exited ${help.status}:\n${help.stdout}\n${help.stderr}`);
  step('shard-host --help exits 0');

  const emulator = await startEmulatorProcess(['--port', '0']);
  const metricsPort = await freePort();
  const nowhere = await freePort(); // no Worker: the host cannot get a lease and must say so, not crash
  const host = spawnManaged('shard-host', process.execPath, [...HOST_NODE_FLAGS, join(dir, 'shard-host/bin.mjs')], {
    cwd: dir,
    env: {
      DISCORD_TOKEN: emulator.token,
      DISCORD_API_URL: emulator.apiUrl,
      EDGESHARD_WORKER_URL: `http://127.0.0.1:${nowhere}`,
      EDGESHARD_SECRET: localSecret(),
      EDGESHARD_SPOOL_DIR: join(dir, '.spool'),
      EDGESHARD_METRICS_PORT: String(metricsPort),
      // Until every host is coordinated without it (the setting is being removed; unknown names are ignored).
      EDGESHARD_LOG_FORMAT: 'json',
    },
  });
  try {
    const health = await waitFor(
      '/healthz of the host installed with --omit=dev',
      async () => {
        const res = await fetch(`http://127.0.0.1:${metricsPort}/healthz`);
        return { status: res.status, body: (await res.json()) as { shards?: unknown } };
      },
      { proc: host, timeoutMs: 30_000 },
    );
    if (typeof health.body.shards !== 'object')
      throw new Error(`/healthz has no shards: ${JSON.stringify(health.body)}`);
    step(`/healthz answers ${health.status}: ${JSON.stringify(health.body)}`);
  } finally {
    await host.stop('SIGTERM', 15_000);
    await emulator.stop('SIGTERM', 5_000);
  }
  console.log(`production install checked in ${((Date.now() - started) / 1000).toFixed(1)} s`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
