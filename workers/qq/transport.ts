// How the QQ client reaches QQ's servers. QQ's OpenAPI only accepts requests from IP addresses on the bot's
// whitelist (开发设置 > IP白名单), and a Worker has no fixed egress address, so production calls are meant to
// leave through a shard host that has one (the egress relay, workers/rest/egress.ts + shard-host/egress/,
// built in the REST proxy issue). The client therefore takes any fetch-like function: `directTransport`
// (plain fetch), or `egressTransport(egress)`, which sends through workers/rest/egress.ts: directly, or
// through the host's relay when EDGESHARD_EGRESS_URL is set (the default in qq/stub.ts).
import type { Egress } from '../rest/egress.ts';

export interface TransportRequest {
  method: string;
  headers: Record<string, string>;
  body?: string;
  /** The access-token request: through the relay, the host adds QQ_APP_ID / QQ_APP_SECRET to the body. */
  qqCredentials?: boolean;
}

export interface TransportResponse {
  status: number;
  text(): Promise<string>;
}

export type QQTransport = (url: string, init: TransportRequest) => Promise<TransportResponse>;

/** Calls QQ directly from the Worker. */
export const directTransport: QQTransport = (url, init) => fetch(url, init);

/** Sends QQ calls through an Egress (never with the Discord bot token: `botAuth: false`). */
export function egressTransport(egress: Egress): QQTransport {
  return async (url, init) => {
    const res = await egress.send({
      method: init.method,
      url,
      headers: init.headers,
      ...(init.body === undefined ? {} : { body: init.body }),
      ...(init.qqCredentials ? { qqCredentials: true } : {}),
      botAuth: false,
    });
    return { status: res.status, text: async () => res.body };
  };
}
