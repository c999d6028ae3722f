// node:http(s) for the host, and the small fetch the host's few one-off calls need (/gateway/bot, QQ's
// token). Both avoid Node's bundled undici: an ESM `import … from 'node:http'` builds the module's ESM
// facade, which reads its lazy `WebSocket` export and so loads undici, and the global `fetch` is undici.
// Either costs the host 11 MB of RSS it never uses (bench/RESULTS.md). `process.getBuiltinModule` returns
// the same module without the facade; test/node/host/no-undici.test.ts checks the host's graph stays clear.
import type { IncomingMessage } from 'node:http';

export const nodeHttp = process.getBuiltinModule('node:http');
export const nodeHttps = process.getBuiltinModule('node:https');

export interface HttpInit {
  method: string;
  headers: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
}

export interface HttpAnswer {
  status: number;
  text(): Promise<string>;
}

/** The part of fetch the host uses. Tests pass their own. */
export type FetchLike = (url: string, init: HttpInit) => Promise<HttpAnswer>;

/** No answer (headers and body) within this long fails the call, so a start-up call cannot hang. */
export const HTTP_TIMEOUT_MS = 30_000;

/**
 * One request, the whole body read. Rejects when the server cannot be reached, the signal aborts, or no
 * answer comes within `timeoutMs`; any status resolves (the caller names what a status means). Redirects
 * are not followed: the endpoints it calls answer directly.
 */
export function httpFetch(url: string, init: HttpInit, timeoutMs = HTTP_TIMEOUT_MS): Promise<HttpAnswer> {
  const target = new URL(url);
  const request = target.protocol === 'https:' ? nodeHttps.request : nodeHttp.request;
  const body = init.body === undefined ? undefined : Buffer.from(init.body, 'utf8');
  return new Promise((resolve, reject) => {
    const req = request(target, {
      method: init.method,
      headers: body ? { ...init.headers, 'content-length': String(body.length) } : init.headers,
      ...(init.signal ? { signal: init.signal } : {}),
    });
    const timer = setTimeout(() => req.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    const fail = (err: Error) => {
      clearTimeout(timer);
      reject(err);
    };
    req.on('error', fail);
    req.on('response', (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', fail);
      res.on('end', () => {
        clearTimeout(timer);
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, text: () => Promise.resolve(text) });
      });
    });
    req.end(body);
  });
}
