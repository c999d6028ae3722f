// Property-based fuzzing of every parser of untrusted input (issue 11). A target is a fast-check property;
// `npm test` runs each with a short fixed-seed budget, `npm run fuzz` (test/fuzz/run.ts) for minutes,
// printing the cases tried per target. Runs in Node and in workerd (no Node-only APIs here).
import fc from 'fast-check';
import { EdgeshardError, type ErrorCode } from '../../protocol/index.ts';

export interface FuzzTarget {
  name: string;
  // Any argument tuple: each target has its own generators.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  property: fc.IRawProperty<any, boolean>;
}

/** Short runs for `npm test`: a fixed seed, so a failure reproduces. */
export const SHORT = { numRuns: 300, seed: 11 } as const;

/** `seconds` > 0: run until the time is up (random seed, printed); otherwise the short budget. */
export async function runTarget(target: FuzzTarget, seconds = 0): Promise<{ cases: number; ms: number; seed: number }> {
  const started = Date.now();
  const seed = seconds > 0 ? Math.floor(Math.random() * 2 ** 31) : SHORT.seed;
  const params: fc.Parameters<unknown> =
    seconds > 0
      ? {
          numRuns: Number.MAX_SAFE_INTEGER,
          seed,
          interruptAfterTimeLimit: seconds * 1000,
          markInterruptAsFailure: false,
        }
      : { numRuns: SHORT.numRuns, seed };
  const details = await fc.check(target.property as fc.IRawProperty<unknown>, params);
  if (details.failed) throw new Error(`${target.name}: ${fc.defaultReportMessage(details)}`);
  const result = { cases: details.numRuns, ms: Date.now() - started, seed };
  console.log(JSON.stringify({ fuzz: target.name, ...result }));
  return result;
}

/** Runs `parse`; anything thrown must be an EdgeshardError with `code` (our typed refusal), else rethrown. */
export function refusedOrParsed<T>(
  parse: () => T,
  code: ErrorCode,
): { ok: true; value: T } | { ok: false; error: EdgeshardError } {
  try {
    return { ok: true, value: parse() };
  } catch (err) {
    if (err instanceof EdgeshardError && err.code === code && err.message.length > 0) return { ok: false, error: err };
    throw err;
  }
}

/** A valid value with one field replaced by anything: reaches the checks past the first. */
export function mutated<T extends Record<string, unknown>>(valid: fc.Arbitrary<T>): fc.Arbitrary<unknown> {
  return fc.tuple(valid, fc.string({ maxLength: 12 }), fc.anything({ maxDepth: 2 })).map(([v, key, value]) => {
    const keys = Object.keys(v);
    const k = keys.length > 0 && key.length % 2 === 0 ? keys[key.length % keys.length]! : key;
    return { ...v, [k]: value };
  });
}
