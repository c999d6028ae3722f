// The egress relay: an HTTP endpoint on the shard host that makes platform API calls for the Worker, so they
// leave from this host's IP (QQ's OpenAPI only accepts whitelisted IPs; a user with one fixed-IP host needs
// no other server). Requests are signed with EDGESHARD_SECRET (HMAC over `timestamp.body`, the 300 s replay
// window of the event batches, plus a request id remembered for that window), limited in size, and only
// reach allow-listed hosts; answers are signed back. Credentials stay on the host: a request asking for
// `inject: 'discord-bot'` gets the host's own DISCORD_TOKEN, and `inject: 'qq-app'` (the QQ access-token
// request) gets the host's QQ_APP_ID / QQ_APP_SECRET, so neither crosses the wire.
// Before a byte of the body is read: the signature headers must be present, the timestamp fresh, and
// Content-Length declared and within the limit; at most `maxConcurrent` requests are read at once, and a
// sender that does not finish its body within `bodyTimeoutMs` is cut off (issue 11, hole 4).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  EGRESS_MAX_REQUEST_BYTES,
  EGRESS_MAX_RESPONSE_BYTES,
  EGRESS_PATH,
  EGRESS_VERSION,
  fromBase64,
  parseEgressRequest,
  toBase64,
  type EgressRequest,
  type EgressResponse,
} from '../../protocol/egress.ts';
import {
  EdgeshardError,
  MAX_CLOCK_SKEW_SECONDS,
  signedHeaders,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  verify,
} from '../../protocol/index.ts';
import type { Logger } from '../log.ts';
import { allowList } from './allow.ts';
import { ReplayCache } from './replay.ts';

export interface EgressOptions {
  port: number;
  host?: string;
  secret: string;
  discordToken: string;
  discordApiUrl: string;
  logger: Logger;
  extraHosts?: string[];
  timeoutMs?: number;
  /** The host's QQ credentials, added to `inject: 'qq-app'` requests for exactly `tokenUrl`. */
  qq?: { appId: string; appSecret: string; tokenUrl: string } | undefined;
  /** Requests read or relayed at once; more get 503 at once (default 32). */
  maxConcurrent?: number;
  /** A request body not complete this long after its headers is cut off with 408 (default 30 s). */
  bodyTimeoutMs?: number;
  now?: () => number;
}

export interface EgressServer {
  port: number;
  close(): Promise<void>;
}

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'content-length',
  'host',
  'content-encoding',
]);

function reply(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

/** Reads exactly `length` declared bytes; undefined when the sender sends more or stops early. */
async function readDeclared(req: IncomingMessage, length: number): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > length) return undefined;
    chunks.push(chunk);
  }
  return size === length ? Buffer.concat(chunks).toString('utf8') : undefined;
}

/** What can be refused from the headers alone, cheapest first; undefined when the body may be read. */
function headerRefusal(req: IncomingMessage, nowMs: number): { status: number; error: string } | undefined {
  if (req.method !== 'POST' || req.url !== EGRESS_PATH) return { status: 404, error: `POST ${EGRESS_PATH} only` };
  const timestamp = req.headers[TIMESTAMP_HEADER];
  const signature = req.headers[SIGNATURE_HEADER];
  if (typeof timestamp !== 'string' || typeof signature !== 'string' || !/^[0-9a-f]{64}$/i.test(signature))
    return {
      status: 401,
      error: `missing ${TIMESTAMP_HEADER} or ${SIGNATURE_HEADER}: sign the request with EDGESHARD_SECRET`,
    };
  const skew = Math.abs(Math.floor(nowMs / 1000) - Number(timestamp));
  if (!/^\d{1,12}$/.test(timestamp) || skew > MAX_CLOCK_SKEW_SECONDS)
    return {
      status: 401,
      error: `stale or malformed ${TIMESTAMP_HEADER}: a replay, or the clocks differ (enable NTP)`,
    };
  const length = req.headers['content-length'];
  if (length === undefined || !/^\d{1,12}$/.test(length))
    return { status: 411, error: 'Content-Length is required (no chunked bodies)' };
  if (Number(length) > EGRESS_MAX_REQUEST_BYTES)
    return { status: 413, error: `request larger than ${EGRESS_MAX_REQUEST_BYTES} bytes` };
  return undefined;
}

function parseEnvelope(text: string): EgressRequest | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'body is not JSON';
  }
  return parseEgressRequest(value);
}

export async function startEgressServer(opts: EgressOptions): Promise<EgressServer> {
  const allow = allowList(opts.discordApiUrl, opts.extraHosts, opts.qq ? [opts.qq.tokenUrl] : []);
  const replays = new ReplayCache();
  const log = opts.logger;
  const now = opts.now ?? Date.now;
  const maxConcurrent = opts.maxConcurrent ?? 32;
  const bodyTimeoutMs = opts.bodyTimeoutMs ?? 30_000;
  let active = 0;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    // Refused from its headers: the body is never read, and the connection is closed rather than reused.
    const refused = headerRefusal(req, now());
    if (refused) {
      if (refused.status === 401) log.warn('egress request refused', { reason: refused.error });
      return reply(res, refused.status, JSON.stringify({ error: refused.error }), { connection: 'close' });
    }
    if (active >= maxConcurrent)
      return reply(res, 503, JSON.stringify({ error: `more than ${maxConcurrent} requests at once: retry shortly` }), {
        connection: 'close',
        'retry-after': '1',
      });
    active++;
    try {
      await relay(req, res);
    } finally {
      active--;
    }
  };

  const relay = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const slow = setTimeout(() => {
      if (!res.headersSent)
        reply(res, 408, JSON.stringify({ error: `request body not received within ${bodyTimeoutMs} ms` }), {
          connection: 'close',
        });
      req.destroy();
    }, bodyTimeoutMs);
    let text: string | undefined;
    try {
      text = await readDeclared(req, Number(req.headers['content-length']));
    } catch {
      text = undefined;
    } finally {
      clearTimeout(slow);
    }
    if (res.headersSent) return;
    if (text === undefined)
      return reply(res, 400, JSON.stringify({ error: 'body length differs from Content-Length' }), {
        connection: 'close',
      });
    try {
      await verify(
        opts.secret,
        {
          timestamp: req.headers[TIMESTAMP_HEADER] as string | undefined,
          signature: req.headers[SIGNATURE_HEADER] as string | undefined,
        },
        text,
      );
    } catch (err) {
      const message = err instanceof EdgeshardError ? err.message : 'bad signature';
      log.warn('egress request refused', { reason: message });
      return reply(res, 401, JSON.stringify({ error: message }));
    }
    const envelope = parseEnvelope(text);
    if (typeof envelope === 'string') return reply(res, 400, JSON.stringify({ error: envelope }));
    if (!replays.remember(envelope.id))
      return reply(res, 401, JSON.stringify({ error: 'replayed request id: each request must carry a fresh id' }));
    const refused = allow.check(envelope.url);
    if (refused) return reply(res, 403, JSON.stringify({ error: refused }));

    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(envelope.headers))
      if (!HOP_BY_HOP.has(name.toLowerCase())) headers[name.toLowerCase()] = String(value);
    let upstreamBody = envelope.body === undefined ? undefined : fromBase64(envelope.body);
    if (envelope.inject === 'discord-bot') {
      if (!allow.mayInjectDiscordToken(envelope.url))
        return reply(res, 403, JSON.stringify({ error: 'the bot token is only added for the Discord API' }));
      headers.authorization = `Bot ${opts.discordToken}`;
    } else if (envelope.inject === 'qq-app') {
      if (!opts.qq)
        return reply(
          res,
          403,
          JSON.stringify({ error: 'this host has no QQ credentials: set QQ_APP_ID and QQ_APP_SECRET on the host' }),
        );
      if (envelope.url !== opts.qq.tokenUrl)
        return reply(
          res,
          403,
          JSON.stringify({ error: `QQ credentials are only added for ${opts.qq.tokenUrl} (the host's QQ_TOKEN_URL)` }),
        );
      upstreamBody = new TextEncoder().encode(
        JSON.stringify({ appId: opts.qq.appId, clientSecret: opts.qq.appSecret }),
      );
      headers['content-type'] = 'application/json';
    }
    let upstream: Response;
    try {
      upstream = await fetch(envelope.url, {
        method: envelope.method,
        headers,
        redirect: 'manual',
        signal: AbortSignal.timeout(opts.timeoutMs ?? 30_000),
        ...(upstreamBody === undefined ? {} : { body: upstreamBody }),
      });
    } catch (err) {
      log.warn('egress upstream unreachable', { host: new URL(envelope.url).host, error: (err as Error).message });
      return reply(
        res,
        502,
        JSON.stringify({ error: `upstream ${new URL(envelope.url).host} unreachable: ${(err as Error).message}` }),
      );
    }
    const bytes = new Uint8Array(await upstream.arrayBuffer());
    if (bytes.length > EGRESS_MAX_RESPONSE_BYTES)
      return reply(
        res,
        502,
        JSON.stringify({ error: `upstream answer larger than ${EGRESS_MAX_RESPONSE_BYTES} bytes` }),
      );
    const answerHeaders: Record<string, string> = {};
    upstream.headers.forEach((value, name) => {
      if (!HOP_BY_HOP.has(name)) answerHeaders[name] = value;
    });
    const answer: EgressResponse = {
      v: EGRESS_VERSION,
      id: envelope.id,
      status: upstream.status,
      headers: answerHeaders,
      body: toBase64(bytes),
    };
    const body = JSON.stringify(answer);
    reply(res, 200, body, await signedHeaders(opts.secret, body));
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      log.error('egress relay failed', { error: (err as Error).message });
      if (!res.headersSent) reply(res, 500, JSON.stringify({ error: 'egress relay failed (see the host log)' }));
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host ?? '0.0.0.0', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
