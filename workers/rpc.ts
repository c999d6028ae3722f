// Typed errors across Durable Object calls. Workers RPC rethrows an error on the caller's side with its
// message only: class, code and fields are gone, so a handler's `instanceof` or `err.code` check misses.
// So DO methods return a result, and the caller's client turns a failure back into the same class.
import { EdgeshardError, fromWireError, toWireError, type WireError } from '../protocol/index.ts';

export type RpcResult<T> = { ok: true; value: T } | { ok: false; error: WireError };

/** Inside a Durable Object: our typed errors become data; anything else still throws (a bug, logged there). */
export async function rpcResult<T>(run: () => T | Promise<T>): Promise<RpcResult<T>> {
  try {
    return { ok: true, value: await run() };
  } catch (err) {
    if (err instanceof EdgeshardError) return { ok: false, error: toWireError(err) };
    throw err;
  }
}

/** On the caller's side: the value, or the error as the class and code it was thrown with. */
export function unwrap<T>(result: RpcResult<T>): T {
  if (result.ok) return result.value;
  throw fromWireError(result.error);
}
