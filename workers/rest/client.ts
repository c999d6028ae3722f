// The typed REST client handlers use. Every call goes through the REST proxy Durable Object, which holds
// the rate-limit state for the bot.
import type { APIMessage, RESTPostAPIChannelMessageJSONBody } from 'discord-api-types/v10';
import { EdgeshardError, ERROR_CODES } from '../../protocol/index.ts';
import type { RestRequest, RestResponse } from './types.ts';

export interface RestTransport {
  request(req: RestRequest): Promise<RestResponse>;
}

export class DiscordRest {
  readonly #transport: RestTransport;
  constructor(transport: RestTransport) {
    this.#transport = transport;
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.#transport.request({ method, path, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    if (res.status < 200 || res.status >= 300) {
      throw new EdgeshardError(ERROR_CODES.UPSTREAM_HTTP, `Discord answered ${res.status} to ${method} ${path}: ${res.body.slice(0, 300)}`);
    }
    return (res.status === 204 || res.body === '' ? undefined : JSON.parse(res.body)) as T;
  }

  createMessage(channelId: string, body: RESTPostAPIChannelMessageJSONBody): Promise<APIMessage> {
    return this.request<APIMessage>('POST', `/channels/${channelId}/messages`, body);
  }
}
