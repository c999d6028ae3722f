// GET {QQ_API_URL}/gateway/bot (QQ 机器人文档, 开发准备 > 事件订阅与通知 > WebSocket 方式 > 获取带分片 WSS 接入点):
// the gateway URL, the recommended shard count and the session budget, authorised with `QQBot {token}`.
import { EdgeshardError, ERROR_CODES } from '../../protocol/index.ts';
import type { QQGatewayBot } from '../../protocol/qq.ts';
import { httpFetch, type FetchLike } from '../net/http.ts';

export async function fetchQQGatewayBot(
  apiUrl: string,
  accessToken: string,
  get: FetchLike = httpFetch,
): Promise<QQGatewayBot> {
  let res;
  try {
    res = await get(`${apiUrl}/gateway/bot`, { method: 'GET', headers: { authorization: `QQBot ${accessToken}` } });
  } catch (cause) {
    throw new EdgeshardError(
      ERROR_CODES.UPSTREAM_HTTP,
      `cannot reach ${apiUrl}/gateway/bot: ${(cause as Error).message} — check QQ_API_URL (or QQ_SANDBOX) and the network`,
      { cause },
    );
  }
  const text = await res.text();
  if (res.status === 401) {
    throw new EdgeshardError(
      ERROR_CODES.GATEWAY_FATAL,
      `QQ refused the access token at ${apiUrl}/gateway/bot (401): check QQ_APP_ID / QQ_APP_SECRET, and that QQ_SANDBOX matches the environment the bot is allowed in`,
    );
  }
  if (res.status !== 200) {
    throw new EdgeshardError(
      ERROR_CODES.UPSTREAM_HTTP,
      `GET ${apiUrl}/gateway/bot answered ${res.status}: ${text.slice(0, 200)}`,
    );
  }
  const body = JSON.parse(text) as Partial<QQGatewayBot>;
  if (typeof body.url !== 'string' || typeof body.shards !== 'number' || typeof body.session_start_limit !== 'object') {
    throw new EdgeshardError(
      ERROR_CODES.UPSTREAM_HTTP,
      `GET ${apiUrl}/gateway/bot answered without url, shards and session_start_limit: ${text.slice(0, 200)}`,
    );
  }
  return body as QQGatewayBot;
}
