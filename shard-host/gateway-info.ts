// GET {DISCORD_API_URL}/gateway/bot: the gateway URL, the recommended shard count and the identify
// budget (Discord docs, Topics > Gateway > Get Gateway Bot).
import type { RESTGetAPIGatewayBotResult } from 'discord-api-types/v10';
import { EdgeshardError, ERROR_CODES } from '../protocol/index.ts';
import { httpFetch } from './net/http.ts';

export async function fetchGatewayBot(
  apiUrl: string,
  token: string,
  signal?: AbortSignal,
): Promise<RESTGetAPIGatewayBotResult> {
  let res;
  try {
    res = await httpFetch(`${apiUrl}/gateway/bot`, {
      method: 'GET',
      headers: { authorization: `Bot ${token}` },
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
