// The handlers' QQ client, bound to the REST proxy Durable Object's `qq` instance: one access token and one
// view of QQ's frequency limits for every isolate of the bot. `eventId` makes passive replies safe to
// redeliver (client.ts).
import type { Env } from '../env.ts';
import type { RestTransport } from '../rest/client.ts';
import { unwrap } from '../rpc.ts';
import { QQOpenApi } from './client.ts';

export const DEFAULT_QQ_API_URL = 'https://api.sgroup.qq.com';
export const DEFAULT_QQ_TOKEN_URL = 'https://bots.qq.com/app/getAppAccessToken';

/** The REST proxy instance that serves QQ calls (Discord's is `discord`). */
export function qqProxyStub(env: Env) {
  return env.REST_PROXY.get(env.REST_PROXY.idFromName('qq'));
}

export function qqClient(env: Env, eventId?: string): QQOpenApi {
  const stub = qqProxyStub(env);
  const rest: RestTransport = { request: async (req) => unwrap(await stub.request({ ...req, platform: 'qq' })) };
  return new QQOpenApi({ rest, ...(eventId === undefined ? {} : { eventId }) });
}
