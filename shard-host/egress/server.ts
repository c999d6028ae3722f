// The egress relay: an HTTP endpoint on the shard host that makes platform API calls for the Worker, so they
// leave from this host's IP (QQ's OpenAPI only accepts whitelisted IPs; a user with one fixed-IP host needs
// no other server). Requests are signed with EDGESHARD_SECRET (HMAC over `timestamp.body`, the 300 s replay
// window of the event batches, plus a request id remembered for that window), limited in size, and only
// reach allow-listed hosts; answers are signed back. The bot token can stay on the host: a request asking
// for `inject: 'discord-bot'` gets the host's own DISCORD_TOKEN, so it never crosses the wire.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  EGRESS_MAX_REQUEST_BYTES,
  EGRESS_MAX_RESPONSE_BYTES,
  EGRESS_PATH,
  EGRESS_VERSION,
  fromBase64,
  toBase64,
  type EgressRequest,
  type EgressResponse,
} from '../../protocol/egress.ts';
import { EdgeshardError, signedHeaders, SIGNATURE_HEADER, TIMESTAMP_HEADER, verify } from '../../protocol/index.ts';
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

async function readLimited(req: IncomingMessage, max: number): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > max) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseEnvelope(text: string): EgressRequest | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'body is not JSON';
  }
  const e = value as Partial<EgressRequest>;
  if (e.v !== EGRESS_VERSION)
    return `unsupported egress version ${String(e.v)} (this host speaks ${EGRESS_VERSION}): update the host and the Worker together`;
  if (typeof e.id !== 'string' || e.id.length < 8) return 'id must be a random string';
  if (typeof e.method !== 'string' || !/^[A-Z]+$/.test(e.method)) return 'method must be an upper-case HTTP method';
  if (typeof e.url !== 'string') return 'url must be a string';
  if (typeof e.headers !== 'object' || e.headers === null) return 'headers must be an object';
  if (e.body !== undefined && typeof e.body !== 'string') return 'body must be base64 text';
  return e as EgressRequest;
}

export async function startEgressServer(opts: EgressOptions): Promise<EgressServer> {
  const allow = allowList(opts.discordApiUrl, opts.extraHosts);
  const replays = new ReplayCache();
  const log = opts.logger;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.method !== 'POST' || req.url !== EGRESS_PATH)
      return reply(res, 404, JSON.stringify({ error: `POST ${EGRESS_PATH} only` }));
    const text = await readLimited(req, EGRESS_MAX_REQUEST_BYTES);
    // The rest of an oversized body is not read: close the connection rather than leave it unusable.
    if (text === undefined)
      return reply(res, 413, JSON.stringify({ error: `request larger than ${EGRESS_MAX_REQUEST_BYTES} bytes` }), {
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
    if (envelope.inject === 'discord-bot') {
      if (!allow.mayInjectDiscordToken(envelope.url))
        return reply(res, 403, JSON.stringify({ error: 'the bot token is only added for the Discord API' }));
      headers.authorization = `Bot ${opts.discordToken}`;
    }
    let upstream: Response;
    try {
      upstream = await fetch(envelope.url, {
        method: envelope.method,
        headers,
        redirect: 'manual',
        signal: AbortSignal.timeout(opts.timeoutMs ?? 30_000),
        ...(envelope.body === undefined ? {} : { body: fromBase64(envelope.body) }),
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
