// The fuzz targets of test/fuzz/targets-node.ts with the short fixed-seed budget (`npm run fuzz` runs them
// for minutes). Each property: only our typed refusals are thrown, and whatever is accepted is in bounds.
import { describe, it } from 'vitest';
import { runTarget } from '../fuzz/harness.ts';
import { NODE_TARGETS } from '../fuzz/targets-node.ts';

const seconds = Number(process.env.FUZZ_SECONDS ?? '0');

describe('fuzz (node)', () => {
  for (const target of NODE_TARGETS) {
    it(target.name, { timeout: Math.max(20_000, seconds * 1000 + 30_000) }, async () => {
      await runTarget(target, seconds);
    });
  }
});
