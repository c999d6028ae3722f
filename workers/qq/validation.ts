// op 13, callback URL validation (开发准备 > 接口框架 > 事件订阅与通知 > Webhook方式): answer with the
// plain_token and the hex Ed25519 signature of `event_ts + plain_token`, made with the bot's key.
import { EdgeshardError, ERROR_CODES } from '../../protocol/index.ts';
import type { QQValidationRequest, QQValidationResponse } from '../../protocol/qq.ts';
import { toHex } from '../interactions/ed25519.ts';
import { qqKeyPair } from './keys.ts';

export function parseValidation(d: unknown): QQValidationRequest {
  const value = d as Partial<QQValidationRequest> | null;
  if (typeof value?.plain_token !== 'string' || typeof value.event_ts !== 'string') {
    throw new EdgeshardError(
      ERROR_CODES.MALFORMED_PAYLOAD,
      'QQ op 13 payload must carry d.plain_token and d.event_ts as strings',
    );
  }
  return { plain_token: value.plain_token, event_ts: value.event_ts };
}

export async function answerValidation(secret: string, request: QQValidationRequest): Promise<QQValidationResponse> {
  const { privateKey } = await qqKeyPair(secret);
  const message = new TextEncoder().encode(request.event_ts + request.plain_token);
  const signature = await crypto.subtle.sign({ name: 'Ed25519' }, privateKey, message);
  return { plain_token: request.plain_token, signature: toHex(signature) };
}
