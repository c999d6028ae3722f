// The Worker's Env is generated from wrangler.toml (`npm run types`, committed as
// workers/worker-configuration.d.ts): this fails when someone changes wrangler.toml without regenerating.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('../../', import.meta.url).pathname;

describe('workers/worker-configuration.d.ts', () => {
  it('is what `npm run types` generates from wrangler.toml (offline)', { timeout: 60_000 }, () => {
    const run = spawnSync(
      `${ROOT}node_modules/.bin/wrangler`,
      ['types', '--include-runtime=false', '--strict-vars=false', '--check', 'workers/worker-configuration.d.ts'],
      { cwd: ROOT, encoding: 'utf8', env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: '1' } },
    );
    expect(run.status, `${run.stdout}${run.stderr}\nrun \`npm run types\``).toBe(0);
  });
});
