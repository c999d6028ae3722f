// JSON.parse for request bodies (read by the bodyLimit middleware, workers/middleware/body-limit.ts).
import { EdgeshardError, type ErrorCode } from '../../protocol/index.ts';

/** JSON.parse for request bodies: a body that is not JSON is refused with `code` (a 400), naming `what`. */
export function parseJsonBody(body: string, code: ErrorCode, what: string): unknown {
  try {
    return JSON.parse(body);
  } catch (cause) {
    throw new EdgeshardError(code, `${what} is not JSON (${(cause as Error).message})`, { cause });
  }
}
