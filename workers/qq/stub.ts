// The handlers' QQ client, built from the Worker's settings. Tokens are cached per isolate and app.
import { EdgeshardError, ERROR_CODES } from '../../protocol/index.ts';
import type { Env } from '../env.ts';
import { QQOpenApi } from './client.ts';
import { QQTokenSource } from './token.ts';
import { egressFromEnv } from '../rest/egress.ts';
import { egressTransport, type QQTransport } from './transport.ts';

export const DEFAULT_QQ_API_URL = 'https://api.sgroup.qq.com';
export const DEFAULT_QQ_TOKEN_URL = 'https://bots.qq.com/app/getAppAccessToken';

const tokenSources = new Map<string, QQTokenSource>();

/** Calls leave through the configured egress: the Worker itself, or a shard host's relay (EDGESHARD_EGRESS_URL). */
export function qqClient(env: Env, transport: QQTransport = egressTransport(egressFromEnv(env))): QQOpenApi {
  const appId = env.QQ_APP_ID;
  const appSecret = env.QQ_APP_SECRET;
  if (!appId || !appSecret) {
    throw new EdgeshardError(
      ERROR_CODES.CONFIG_INVALID,
      'QQ_APP_ID and QQ_APP_SECRET must be set on the Worker to call the QQ OpenAPI (`wrangler secret put QQ_APP_SECRET`, QQ_APP_ID in [vars])',
    );
  }
  const tokenUrl = env.QQ_TOKEN_URL ?? DEFAULT_QQ_TOKEN_URL;
  const key = `${appId}@${tokenUrl}@${env.EDGESHARD_EGRESS_URL ?? ''}`;
  let tokens = tokenSources.get(key);
  if (!tokens) {
    // Through a relay, the host holds the secret (QQ_APP_SECRET in its env) and adds it itself.
    const credentialsOnHost = !!env.EDGESHARD_EGRESS_URL?.trim();
    tokens = new QQTokenSource({ url: tokenUrl, appId, appSecret, transport, credentialsOnHost });
    tokenSources.set(key, tokens);
  }
  return new QQOpenApi({ apiUrl: env.QQ_API_URL ?? DEFAULT_QQ_API_URL, appId, tokens, transport });
}
