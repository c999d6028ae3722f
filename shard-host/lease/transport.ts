// The host's end of the lease connection: one WebSocket to the Worker's /coordinator/connect, opened by the
// host (no inbound port), authenticated with HMAC over a timestamp and the host id. Reconnecting is the
// lease client's job (client.ts); this only opens one connection and reports what happens on it.
import { WebSocket } from '../cjs.ts';
import {
  connectSigningBody,
  HOST_HEADER,
  LEASE_CONNECT_PATH,
  NONCE_HEADER,
  parseCoordinatorMessage,
  signedHeaders,
  type CoordinatorMessage,
  type HostMessage,
  type Platform,
} from '../../protocol/index.ts';

export interface LeaseLink {
  /** False when the connection is not open (the message is not sent). */
  send(msg: HostMessage): boolean;
  close(code?: number, reason?: string): void;
}

export interface LeaseLinkEvents {
  open(): void;
  message(msg: CoordinatorMessage): void;
  /** Once per link, whatever ended it (refused upgrade, drop, close). */
  close(code: number, reason: string): void;
}

export type LeaseConnect = (events: LeaseLinkEvents) => LeaseLink;

export interface WebSocketLeaseOptions {
  /** The Worker's base URL (http or https; ws/wss is derived). */
  url: string;
  secret: string;
  hostId: string;
  /** Whose coordinator this link reaches (the Worker runs one per platform); discord by default. */
  platform?: Platform;
  /** Give up opening after this long (a blackholed coordinator must not hang the reconnect loop). */
  handshakeTimeoutMs?: number;
}

/** `?platform=` names the coordinator; Discord's is the default, so its URL is what it always was. */
export function leaseUrl(base: string, platform: Platform = 'discord'): string {
  const u = new URL(base.replace(/\/$/, '') + LEASE_CONNECT_PATH);
  u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
  if (platform !== 'discord') u.searchParams.set('platform', platform);
  return u.toString();
}

export function webSocketLease(options: WebSocketLeaseOptions): LeaseConnect {
  return (events) => {
    let ws: WebSocket | null = null;
    let ended = false;
    const end = (code: number, reason: string) => {
      if (ended) return;
      ended = true;
      events.close(code, reason);
    };
    // Headers are signed at connect time: the timestamp must be fresh for the Worker's replay window, and
    // the nonce new (the coordinator refuses one it has seen).
    const nonce = crypto.randomUUID();
    void signedHeaders(options.secret, connectSigningBody(options.hostId, nonce)).then((headers) => {
      if (ended) return;
      ws = new WebSocket(leaseUrl(options.url, options.platform), {
        headers: { ...headers, [HOST_HEADER]: options.hostId, [NONCE_HEADER]: nonce },
        handshakeTimeout: options.handshakeTimeoutMs ?? 5_000,
        perMessageDeflate: false,
      });
      ws.on('open', () => events.open());
      ws.on('message', (data) => {
        let msg: CoordinatorMessage;
        try {
          msg = parseCoordinatorMessage(JSON.parse(data.toString()));
        } catch (err) {
          ws?.close(4400, 'malformed coordinator message');
          return end(4400, (err as Error).message);
        }
        events.message(msg);
      });
      ws.on('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => {
          ws?.terminate();
          end(
            4000 + Math.min(res.statusCode ?? 0, 999),
            `the Worker refused the lease connection (${res.statusCode}): ${body.slice(0, 300)}`,
          );
        });
      });
      ws.on('error', (err) => end(1006, err.message));
      ws.on('close', (code, reason) => end(code, reason.toString()));
    });
    return {
      send(msg) {
        if (!ws || ws.readyState !== WebSocket.OPEN) return false;
        ws.send(JSON.stringify(msg));
        return true;
      },
      close(code = 1000, reason = 'closing') {
        if (ws && ws.readyState === WebSocket.OPEN) ws.close(code, reason);
        else ws?.terminate();
        end(code, reason);
      },
    };
  };
}
