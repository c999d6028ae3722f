// The handlers' REST client, bound to the bot's REST proxy Durable Object (one instance per bot).
import type { Env } from '../env.ts';
import { DiscordRest, type RestTransport } from './client.ts';

export function restClient(env: Env): DiscordRest {
  const stub = env.REST_PROXY.get(env.REST_PROXY.idFromName('discord'));
  const transport: RestTransport = { request: (req) => stub.request(req) };
  return new DiscordRest(transport);
}
