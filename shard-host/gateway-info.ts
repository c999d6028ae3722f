// GET {DISCORD_API_URL}/gateway/bot: the gateway URL, the recommended shard count and the identify
// budget (Discord docs, Topics > Gateway > Get Gateway Bot).
import type { RESTGetAPIGatewayBotResult } from 'discord-api-types/v10';
import { EdgeshardError, ERROR_CODES } from '../protocol/index.ts';
import { httpFetch } from './net/http.ts';

/** package.json's version (the host may run from its JavaScript cache, away from package.json);
 *  test/node/host/gateway-info.test.ts checks that they agree. */
export const EDGESHARD_VERSION = '0.1.0';
/** Discord docs, Reference > User Agent: HTTP API clients name their library and its version,
 *  `DiscordBot ($url, $versionNumber)`. We have no public URL, so the library's name stands in. */
export const DISCORD_USER_AGENT = `DiscordBot (edgeshard, ${EDGESHARD_VERSION})`;

export async function fetchGatewayBot(
  apiUrl: string,
  token: string,
  signal?: AbortSignal,
): Promise<RESTGetAPIGatewayBotResult> {
  let res;
  try {
    res = await httpFetch(`${apiUrl}/gateway/bot`, {
      method: 'GET',
      headers: { authorization: `Bot ${token}`, 'user-agent': DISCORD_USER_AGENT },
      ...(signal ? { signal } : {}),
    });
  } catch (cause) {
    throw new EdgeshardError(
      ERROR_CODES.UPSTREAM_HTTP,
      `cannot reach ${apiUrl}/gateway/bot: ${(cause as Error).message} — check DISCORD_API_URL and the network`,
      { cause },
    );
  }
  const text = await res.text();
  if (res.status === 401) {
    throw new EdgeshardError(
      ERROR_CODES.GATEWAY_FATAL,
      'Discord rejected DISCORD_TOKEN (401): copy the token again from the Developer Portal > Bot > Reset Token',
    );
  }
  if (res.status !== 200) {
    throw new EdgeshardError(
      ERROR_CODES.UPSTREAM_HTTP,
      `GET ${apiUrl}/gateway/bot answered ${res.status}: ${text.slice(0, 200)}`,
    );
  }
  return JSON.parse(text) as RESTGetAPIGatewayBotResult;
}
