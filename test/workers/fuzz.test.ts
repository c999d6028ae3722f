// The Worker's fuzz targets (test/fuzz/targets-worker.ts) inside workerd, short fixed-seed budget;
// `npm run fuzz` runs them for minutes (FUZZ_SECONDS through the test bindings).
import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test';
import { describe, it } from 'vitest';
import { runTarget } from '../fuzz/harness.ts';
import { workerTargets } from '../fuzz/targets-worker.ts';
import { SECRET } from './helpers.ts';
import { RFC8032_TEST2, signerFromSeed } from './interactions-fixtures.ts';

const seconds = Number((env as { FUZZ_SECONDS?: string }).FUZZ_SECONDS || '0');

describe('fuzz (workers)', async () => {
  const targets = workerTargets({
    env,
    secret: SECRET,
    discordPublicKey: RFC8032_TEST2.publicKey,
    signInteraction: await signerFromSeed(RFC8032_TEST2.seed),
    call: async (app, path, init, bindings) => {
      const ctx = createExecutionContext();
      const res = await app.request(path, init, bindings, ctx);
      await waitOnExecutionContext(ctx);
      return res;
    },
  });
  for (const target of targets) {
    it(target.name, { timeout: Math.max(30_000, seconds * 1000 + 30_000) }, async () => {
      await runTarget(target, seconds);
    });
  }
});
