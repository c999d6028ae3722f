// Reads a request body as text, refusing it as soon as it passes `limit` bytes, so an oversized batch
// costs us at most `limit` bytes of memory.
import { EdgeshardError, ERROR_CODES, type ErrorCode } from '../../protocol/index.ts';

/** 1 MiB: twice the host's default EDGESHARD_BATCH_MAX_BYTES, so a default batch always fits. */
export const DEFAULT_MAX_BATCH_BYTES = 1024 * 1024;

function tooLarge(limit: number): EdgeshardError {
  return new EdgeshardError(
    ERROR_CODES.BODY_TOO_LARGE,
    `body exceeds ${limit} bytes: send smaller batches (the host's EDGESHARD_BATCH_MAX_BYTES) or raise EDGESHARD_MAX_BATCH_BYTES on the Worker`,
  );
}

export async function readBodyLimited(request: Request, limit: number): Promise<string> {
  // A declared length over the limit is refused before a byte is read; a missing or lying one is caught
  // while reading.
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > limit) throw tooLarge(limit);
  if (!request.body) return '';
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw tooLarge(limit);
    }
    chunks.push(value);
  }
  const all = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    all.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new TextDecoder().decode(all);
}

/** JSON.parse for request bodies: a body that is not JSON is refused with `code` (a 400), naming `what`. */
export function parseJsonBody(body: string, code: ErrorCode, what: string): unknown {
  try {
    return JSON.parse(body);
  } catch (cause) {
    throw new EdgeshardError(code, `${what} is not JSON (${(cause as Error).message})`, { cause });
  }
}
