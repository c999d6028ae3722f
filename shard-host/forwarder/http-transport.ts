// The production BatchTransport: signed POSTs to {workerUrl}/events over keep-alive node:http(s) sockets.
// node:http rather than undici: the host sends one request per batch, which node:http does as well, and
// undici's module graph alone cost the host about 14 MB of RSS and 140 ms of start-up CPU (bench/RESULTS.md).
import type { Agent as HttpAgent, IncomingMessage } from 'node:http';
import { nodeHttp, nodeHttps } from '../net/http.ts';
import { signBody } from './sign.ts';
import type { BatchTransport, TransportReply } from './transport.ts';

/** Below Cloudflare's 400 s idle limit for client connections; see the constructor. */
export const KEEP_ALIVE_MS = 300_000;

export interface HttpTransportOptions {
  workerUrl: string;
  secret: string;
  /** Sockets kept open: the forwarder's maxInFlight. */
  connections?: number;
  requestTimeoutMs?: number;
}

export class HttpTransport implements BatchTransport {
  readonly target: string;
  readonly #secret: string;
  readonly #url: URL;
  readonly #agent: HttpAgent;
  readonly #request: typeof nodeHttp.request;
  readonly #timeoutMs: number;

  constructor(options: HttpTransportOptions) {
    const url = new URL(options.workerUrl);
    this.target = options.workerUrl;
    this.#secret = options.secret;
    this.#url = new URL(url.pathname.replace(/\/$/, '') + '/events', url.origin);
    this.#timeoutMs = options.requestTimeoutMs ?? 30_000;
    // Cloudflare closes an idle HTTP/1.1 client connection after 400 s (Fundamentals > Connection
    // limits). Closing ours after 300 s idle means a quiet bot still reuses its TLS connection between
    // bursts, and we always close an idle socket before Cloudflare does, so a request never races a closing
    // socket. `timeout` is the idle time after which a kept-alive socket is closed.
    const agentOptions = { keepAlive: true, maxSockets: options.connections ?? 8, timeout: KEEP_ALIVE_MS };
    const https = url.protocol === 'https:';
    this.#agent = https ? new nodeHttps.Agent(agentOptions) : new nodeHttp.Agent(agentOptions);
    this.#request = https ? nodeHttps.request : nodeHttp.request;
  }

  send(body: string): Promise<TransportReply> {
    // Encoded once: the same bytes are signed and sent.
    const bytes = Buffer.from(body, 'utf8');
    return new Promise((resolve) => {
      let settled = false;
      const done = (reply: TransportReply) => {
        if (settled) return;
        settled = true;
        resolve(reply);
      };
      const req = this.#request(this.#url, {
        method: 'POST',
        agent: this.#agent,
        headers: {
          ...signBody(this.#secret, bytes),
          'content-type': 'application/json',
          'content-length': String(bytes.length),
        },
      });
      // No answer (headers and body) within the timeout: the batch is retried.
      const timer = setTimeout(() => req.destroy(new Error(`no answer within ${this.#timeoutMs} ms`)), this.#timeoutMs);
      req.on('error', (err) => {
        clearTimeout(timer);
        done({ kind: 'unreachable', error: err.message });
      });
      req.on('response', (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (err) => {
          clearTimeout(timer);
          done({ kind: 'unreachable', error: err.message });
        });
        res.on('end', () => {
          clearTimeout(timer);
          const header = res.headers['retry-after'];
          done({
            kind: 'answer',
            status: res.statusCode ?? 0,
            retryAfter: typeof header === 'string' ? header : null,
            text: Buffer.concat(chunks).toString('utf8'),
          });
        });
      });
      req.end(bytes);
    });
  }

  close(): Promise<void> {
    this.#agent.destroy();
    return Promise.resolve();
  }
}
