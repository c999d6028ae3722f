// Where platform API calls leave from: the Worker itself (default), or a shard host's egress relay when
// EDGESHARD_EGRESS_URL is set (a fixed IP, which QQ's OpenAPI requires). The REST proxy and the QQ client
// call `send` and do not care which.
import {
  EGRESS_VERSION,
  fromBase64,
  parseEgressResponse,
  toBase64,
  type EgressRequest,
  type EgressResponse,
} from '../../protocol/egress.ts';
import {
  EdgeshardError,
  ERROR_CODES,
  signedHeaders,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  verify,
} from '../../protocol/index.ts';

export interface UpstreamRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string | ArrayBuffer;
  /** Add `Authorization: Bot <DISCORD_TOKEN>` (here, or on the host for the relay). */
  botAuth: boolean;
  /** The QQ access-token request: through the relay the host puts its own QQ credentials in the body. */
  qqCredentials?: boolean;
}

export interface UpstreamResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface Egress {
  readonly kind: 'direct' | 'relay';
  send(req: UpstreamRequest): Promise<UpstreamResponse>;
}

const TIMEOUT_MS = 30_000;

function headersOf(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, name) => (out[name.toLowerCase()] = value));
  return out;
}

export function directEgress(token: string | undefined): Egress {
  return {
    kind: 'direct',
    async send(req) {
      const headers = { ...req.headers };
      if (req.botAuth) {
        if (!token)
          throw new EdgeshardError(
            ERROR_CODES.CONFIG_INVALID,
            'DISCORD_TOKEN is not set for the Worker: run `wrangler secret put DISCORD_TOKEN` (or add it to .dev.vars)',
          );
        headers.authorization = `Bot ${token}`;
      }
      const res = await fetch(req.url, {
        method: req.method,
        headers,
        redirect: 'manual',
        signal: AbortSignal.timeout(TIMEOUT_MS),
        ...(req.body === undefined ? {} : { body: req.body }),
      });
      return { status: res.status, headers: headersOf(res.headers), body: await res.text() };
    },
  };
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Why the Worker must not use this relay URL, or undefined. Plain HTTP leaves the signed envelopes (and
 * what the platforms answer, tokens included) readable on the way; only loopback (tests, the emulator) may.
 */
export function relayUrlRefusal(relayUrl: string): string | undefined {
  let url: URL;
  try {
    url = new URL(relayUrl);
  } catch {
    return `EDGESHARD_EGRESS_URL is not a URL ("${relayUrl.slice(0, 100)}"): set it to https://<host>:<port>`;
  }
  if (url.protocol === 'https:') return undefined;
  if (url.protocol === 'http:' && (LOOPBACK.has(url.hostname) || url.hostname.startsWith('127.'))) return undefined;
  return `EDGESHARD_EGRESS_URL must be https:// (got ${url.protocol}//${url.host}): put TLS in front of the host's relay (a reverse proxy or a Cloudflare Tunnel to EDGESHARD_EGRESS_PORT); plain http is only for 127.0.0.1`;
}

/** Calls through the shard host at `relayUrl` (its EDGESHARD_EGRESS_PORT), signed with `secret`. */
export function relayEgress(relayUrl: string, secret: string): Egress {
  const endpoint = relayUrl.replace(/\/$/, '') + '/egress';
  const refusal = relayUrlRefusal(relayUrl);
  return {
    kind: 'relay',
    async send(req) {
      if (refusal) throw new EdgeshardError(ERROR_CODES.CONFIG_INVALID, refusal);
      const id = crypto.randomUUID();
      const inject = req.qqCredentials ? ('qq-app' as const) : req.botAuth ? ('discord-bot' as const) : undefined;
      const envelope: EgressRequest = {
        v: EGRESS_VERSION,
        id,
        method: req.method,
        url: req.url,
        headers: req.headers,
        ...(inject ? { inject } : {}),
      };
      if (req.body !== undefined)
        envelope.body = toBase64(
          typeof req.body === 'string' ? new TextEncoder().encode(req.body) : new Uint8Array(req.body),
        );
      const body = JSON.stringify(envelope);
      let res: Response;
      try {
        res = await fetch(endpoint, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(await signedHeaders(secret, body)) },
          body,
          signal: AbortSignal.timeout(TIMEOUT_MS + 5_000),
        });
      } catch (cause) {
        throw new EdgeshardError(
          ERROR_CODES.UPSTREAM_HTTP,
          `the egress relay at ${relayUrl} is unreachable: start the shard host with EDGESHARD_EGRESS_PORT set, or unset EDGESHARD_EGRESS_URL to call from the Worker`,
          { cause },
        );
      }
      const text = await res.text();
      if (res.status !== 200) {
        throw new EdgeshardError(
          ERROR_CODES.UPSTREAM_HTTP,
          `the egress relay refused the call (${res.status}): ${text.slice(0, 300)}`,
        );
      }
      // The host signs its answer too: a relay we cannot verify could hand us anything.
      await verify(
        secret,
        { timestamp: res.headers.get(TIMESTAMP_HEADER), signature: res.headers.get(SIGNATURE_HEADER) },
        text,
      );
      let answer: EgressResponse | string;
      try {
        answer = parseEgressResponse(JSON.parse(text));
      } catch {
        answer = 'answer is not JSON';
      }
      if (typeof answer === 'string')
        throw new EdgeshardError(ERROR_CODES.UPSTREAM_HTTP, `the egress relay's answer is malformed: ${answer}`);
      if (answer.id !== id)
        throw new EdgeshardError(
          ERROR_CODES.BAD_SIGNATURE,
          'the egress relay answered a different request id: refusing the answer',
        );
      return {
        status: answer.status,
        headers: answer.headers,
        body: new TextDecoder().decode(fromBase64(answer.body)),
      };
    },
  };
}

export function egressFromEnv(env: {
  EDGESHARD_EGRESS_URL?: string;
  EDGESHARD_SECRET: string;
  DISCORD_TOKEN?: string;
}): Egress {
  const url = env.EDGESHARD_EGRESS_URL?.trim();
  return url ? relayEgress(url, env.EDGESHARD_SECRET) : directEgress(env.DISCORD_TOKEN);
}
