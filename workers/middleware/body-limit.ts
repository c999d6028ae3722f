// Reads the request body into `c.var.body`, refusing it as soon as it passes the limit: a declared
// Content-Length over the limit before a byte is read, a missing or lying one while streaming. So an
// oversized body costs at most `limit` bytes of memory and never waits for the sender to finish.
import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { EdgeshardError, ERROR_CODES } from '../../protocol/index.ts';
import type { AppEnv } from './types.ts';

export interface BodyLimitOptions {
  /** The limit in bytes (may come from the config). */
  max: (c: Context<AppEnv>) => number;
  /** The fix the 413 names: what the caller (or the operator) should change. */
  fix: (limit: number) => string;
  /** A route whose callers expect another error shape (the Discord-shaped /api/v10) answers its own way. */
  refuse?: (limit: number) => Response;
}

class TooLarge extends Error {}

async function readLimited(body: ReadableStream<Uint8Array>, limit: number): Promise<Uint8Array> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      void reader.cancel().catch(() => {});
      throw new TooLarge();
    }
    chunks.push(value);
  }
  const all = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    all.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return all;
}

export function bodyLimit(opts: BodyLimitOptions) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const limit = opts.max(c);
    const refuse = (): Response => {
      if (opts.refuse) return opts.refuse(limit);
      throw new EdgeshardError(ERROR_CODES.BODY_TOO_LARGE, `body exceeds ${limit} bytes: ${opts.fix(limit)}`);
    };
    const declared = Number(c.req.header('content-length') ?? '0');
    if (declared > limit) return refuse();
    let body: Uint8Array;
    try {
      body = c.req.raw.body ? await readLimited(c.req.raw.body, limit) : new Uint8Array(0);
    } catch (err) {
      if (err instanceof TooLarge) return refuse();
      throw err;
    }
    c.set('body', body);
    await next();
  });
}

/** The body bodyLimit read, as UTF-8 text (what signatures are computed over). */
export function bodyText(c: Context<AppEnv>): string {
  return new TextDecoder().decode(c.var.body);
}
