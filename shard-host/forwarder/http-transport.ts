// The production BatchTransport: signed POSTs to {workerUrl}/events over a keep-alive undici Pool.
import { Pool } from 'undici';
import { signBody } from './sign.ts';
import type { BatchTransport, TransportReply } from './transport.ts';

/** Below Cloudflare's 400 s idle limit for client connections; see the constructor. */
export const KEEP_ALIVE_MS = 300_000;

export interface HttpTransportOptions {
  workerUrl: string;
  secret: string;
  /** Sockets in the pool: the forwarder's maxInFlight. */
  connections?: number;
  requestTimeoutMs?: number;
}

export class HttpTransport implements BatchTransport {
  readonly target: string;
  readonly #secret: string;
  readonly #pool: Pool;
  readonly #path: string;
  readonly #timeoutMs: number;

  constructor(options: HttpTransportOptions) {
    const url = new URL(options.workerUrl);
    this.target = options.workerUrl;
    this.#secret = options.secret;
    this.#path = url.pathname.replace(/\/$/, '') + '/events';
    this.#timeoutMs = options.requestTimeoutMs ?? 30_000;
    // Cloudflare closes an idle HTTP/1.1 client connection after 400 s (Fundamentals > Connection
    // limits). Keeping ours 300 s means a quiet bot still reuses its TLS connection between bursts, and we
    // always close an idle socket before Cloudflare does, so a request never races a closing socket.
    this.#pool = new Pool(url.origin, {
      connections: options.connections ?? 8,
      keepAliveTimeout: KEEP_ALIVE_MS,
      keepAliveMaxTimeout: KEEP_ALIVE_MS,
      pipelining: 1,
    });
  }

  async send(body: string): Promise<TransportReply> {
    try {
      // Encoded once: the same bytes are signed and sent.
      const bytes = Buffer.from(body, 'utf8');
      const res = await this.#pool.request({
        path: this.#path,
        method: 'POST',
        headers: { ...signBody(this.#secret, bytes), 'content-type': 'application/json' },
        body: bytes,
        headersTimeout: this.#timeoutMs,
        bodyTimeout: this.#timeoutMs,
      });
      const header = res.headers['retry-after'];
      const text = await res.body.text();
      return { kind: 'answer', status: res.statusCode, retryAfter: typeof header === 'string' ? header : null, text };
    } catch (err) {
      return { kind: 'unreachable', error: (err as Error).message };
    }
  }

  close(): Promise<void> {
    return this.#pool.close();
  }
}
