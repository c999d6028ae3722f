// POST /webhooks/qq: QQ Bot callbacks (开发准备 > 接口框架 > 事件订阅与通知 > Webhook方式). Every request,
// the op 13 validation included, is verified first: Ed25519 over X-Signature-Timestamp + raw body with the
// key derived from QQ_APP_SECRET. (Signing an unverified op 13 would make us a signing oracle: anyone could
// have us sign `event_ts + plain_token` = any timestamp + body of their choice.) Then op 13 is answered,
// and a dispatch (op 0) runs its handlers before it is acknowledged with {"op":12,"d":0}; a failed handler
// gets a 500, so QQ delivers the event again instead of it being lost.
import { Hono } from 'hono';
import { EdgeshardError, ERROR_CODES } from '../../protocol/index.ts';
import {
  QQ_APPID_HEADER,
  QQ_CALLBACK_ACK,
  QQ_OPCODES,
  QQ_SIGNATURE_HEADER,
  QQ_TIMESTAMP_HEADER,
  type QQPayload,
} from '../../protocol/qq.ts';
import { createHandlerContext } from '../dispatch/context.ts';
import type { Registry } from '../dispatch/registry.ts';
import type { Env } from '../env.ts';
import { verifySignedRequest } from '../interactions/ed25519.ts';
import { qqKeyPair } from '../qq/keys.ts';
import { answerValidation, parseValidation } from '../qq/validation.ts';
import { parseJsonBody, readBodyLimited } from './body.ts';

const MAX_CALLBACK_BYTES = 1024 * 1024;

function parsePayload(body: string): QQPayload {
  const json = parseJsonBody(body, ERROR_CODES.MALFORMED_PAYLOAD, 'QQ callback body');
  const value = json as Partial<QQPayload> | null;
  if (typeof value !== 'object' || value === null || typeof value.op !== 'number') {
    throw new EdgeshardError(ERROR_CODES.MALFORMED_PAYLOAD, 'QQ callback must be a payload object with a numeric "op"');
  }
  return value as QQPayload;
}

export function qqWebhookRoute(registry: Registry): Hono<{ Bindings: Env }> {
  const route = new Hono<{ Bindings: Env }>();

  route.post('/', async (c) => {
    const secret = c.env.QQ_APP_SECRET;
    if (!secret) {
      throw new EdgeshardError(
        ERROR_CODES.CONFIG_INVALID,
        'QQ_APP_SECRET is not set on the Worker: `wrangler secret put QQ_APP_SECRET` with the AppSecret from the QQ Bot console (or .dev.vars locally)',
      );
    }
    const appId = c.req.header(QQ_APPID_HEADER);
    if (c.env.QQ_APP_ID && appId && appId !== c.env.QQ_APP_ID) {
      throw new EdgeshardError(
        ERROR_CODES.BAD_SIGNATURE,
        `callback is for QQ app ${appId}, but this Worker's QQ_APP_ID is ${c.env.QQ_APP_ID}: point that app's callback URL elsewhere or fix QQ_APP_ID`,
      );
    }
    const body = await readBodyLimited(c.req.raw, MAX_CALLBACK_BYTES);
    const { publicKey } = await qqKeyPair(secret);
    await verifySignedRequest(
      publicKey,
      { signature: c.req.header(QQ_SIGNATURE_HEADER), timestamp: c.req.header(QQ_TIMESTAMP_HEADER), body },
      {
        headers: 'X-Signature-Ed25519 / X-Signature-Timestamp',
        fix: 'QQ_APP_SECRET must be the AppSecret of the bot whose callbacks reach this URL',
      },
    );
    const payload = parsePayload(body);

    if (payload.op === QQ_OPCODES.CALLBACK_VALIDATION)
      return c.json(await answerValidation(secret, parseValidation(payload.d)));
    if (payload.op !== QQ_OPCODES.DISPATCH) {
      throw new EdgeshardError(
        ERROR_CODES.MALFORMED_PAYLOAD,
        `QQ callbacks carry op 0 (dispatch) or 13 (validation), not op ${payload.op}`,
      );
    }
    if (typeof payload.t !== 'string' || typeof payload.id !== 'string') {
      throw new EdgeshardError(
        ERROR_CODES.MALFORMED_PAYLOAD,
        'QQ dispatch must carry "t" (event name) and "id" (event id)',
      );
    }

    const ctx = createHandlerContext(
      c.env,
      { id: `qq:${payload.id}`, platform: 'qq', shard: null, type: payload.t },
      (p) => c.executionCtx.waitUntil(p),
    );
    const outcome = await registry.dispatch({ platform: 'qq', type: payload.t, data: payload.d }, ctx);
    if (outcome.errors.length > 0) {
      for (const err of outcome.errors) {
        ctx.log.error('handler failed', {
          error:
            err instanceof EdgeshardError
              ? `${err.code}: ${err.message}`
              : err instanceof Error
                ? err.name
                : typeof err,
        });
      }
      throw new EdgeshardError(
        ERROR_CODES.HANDLER_FAILED,
        `a handler failed for event ${ctx.event.id}; QQ will deliver it again (see the Worker logs)`,
      );
    }
    return c.json(QQ_CALLBACK_ACK);
  });

  return route;
}
