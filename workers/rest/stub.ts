// The handlers' REST client, bound to the bot's REST proxy Durable Object (one instance per bot).
import type { Env } from '../env.ts';
import { unwrap } from '../rpc.ts';
import { DiscordRest, type RestLog, type RestTransport } from './client.ts';

/** The one REST proxy instance every caller of this bot shares. */
export function restProxyStub(env: Env) {
  return env.REST_PROXY.get(env.REST_PROXY.idFromName('discord'));
}

/** `log`: the handler's logger, so a failed call is logged with the event id. */
export function restClient(env: Env, log?: RestLog, eventId?: string): DiscordRest {
  const stub = restProxyStub(env);
  const transport: RestTransport = { request: async (req) => unwrap(await stub.request(req)) };
  return new DiscordRest(transport, log, eventId);
}
