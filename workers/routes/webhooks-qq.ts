// POST /webhooks/qq: QQ Bot callbacks (开发准备 > 接口框架 > 事件订阅与通知 > Webhook方式). Every request,
// the op 13 validation included, is verified first: Ed25519 over X-Signature-Timestamp + raw body with the
// key derived from QQ_APP_SECRET. (Signing an unverified op 13 would make us a signing oracle: anyone could
// have us sign `event_ts + plain_token` = any timestamp + body of their choice.) Then op 13 is answered,
// and a dispatch (op 0) runs its handlers once (the QQ coordinator's delivery ledger, shared with the
// websocket's events) before it is acknowledged with {"op":12,"d":0}; a failed handler gets a 500, so QQ
// delivers the event again instead of it being lost.
import { Hono } from 'hono';
import { EdgeshardError, ERROR_CODES } from '../../protocol/index.ts';
import { need } from '../config.ts';
import { QQ_APPID_HEADER, QQ_CALLBACK_ACK, QQ_OPCODES, type QQPayload } from '../../protocol/qq.ts';
import { createHandlerContext } from '../dispatch/context.ts';
import type { Registry } from '../dispatch/registry.ts';
import { bodyLimit, bodyText, platformSignature, type AppEnv } from '../middleware/index.ts';
import { qqKeyPair } from '../qq/keys.ts';
import { answerValidation, parseValidation } from '../qq/validation.ts';
import { webhookItem } from '../delivery/items.ts';
import { runOnce } from '../delivery/once.ts';
import { parseJsonBody } from './body.ts';

const MAX_CALLBACK_BYTES = 1024 * 1024;
/**
 * How old a signed QQ callback may be. X-Signature-Timestamp is the Unix second QQ signed the push at
 * (开发准备 > 安全和授权, 签名验证参数: "签名时间戳", e.g. 1636373772), and QQ expects the answer within
 * 3 s (事件订阅与通知 > Webhook方式: "需要在 3 秒内响应200或204"), so a genuine callback is seconds old.
 * QQ does not document whether a redelivery is signed afresh, so the window also covers one that keeps its
 * first signature, plus clock skew: the same 300 s as our own signed requests (protocol/signing.ts).
 * Inside the window, a replay is the delivery ledger's to skip (one run per QQ event id).
 */
export const QQ_CALLBACK_MAX_AGE_SECONDS = 300;

function parsePayload(body: string): QQPayload {
  const json = parseJsonBody(body, ERROR_CODES.MALFORMED_PAYLOAD, 'QQ callback body');
  const value = json as Partial<QQPayload> | null;
  if (typeof value !== 'object' || value === null || typeof value.op !== 'number') {
    throw new EdgeshardError(ERROR_CODES.MALFORMED_PAYLOAD, 'QQ callback must be a payload object with a numeric "op"');
  }
  return value as QQPayload;
}

export function qqWebhookRoute(registry: Registry): Hono<AppEnv> {
  const route = new Hono<AppEnv>();

  route.post(
    '/',
    bodyLimit({
      max: () => MAX_CALLBACK_BYTES,
      fix: () => 'QQ callbacks are far smaller; this request is not from QQ',
    }),
    platformSignature({
      key: async (c) => (await qqKeyPair(need(c.var.config.qqAppSecret))).publicKey,
      fix: 'QQ_APP_SECRET must be the AppSecret of the bot whose callbacks reach this URL',
      maxAgeSeconds: QQ_CALLBACK_MAX_AGE_SECONDS,
    }),
    async (c) => {
      // Only now, with QQ's signature checked, may the answer say anything about our configuration; and it
      // still names no app id (a signed callback for another app means two bots share one AppSecret).
      const appId = c.req.header(QQ_APPID_HEADER);
      if (c.env.QQ_APP_ID && appId !== undefined && appId !== c.env.QQ_APP_ID) {
        throw new EdgeshardError(
          ERROR_CODES.BAD_SIGNATURE,
          `the callback's ${QQ_APPID_HEADER} is not this Worker's QQ_APP_ID: point that app's callback URL elsewhere or fix QQ_APP_ID`,
        );
      }
      const secret = need(c.var.config.qqAppSecret);
      const payload = parsePayload(bodyText(c));

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

      // The QQ coordinator's ledger runs the event's handlers once, whether it arrives here, over a shard's
      // websocket (the same `qq:{id}`), or both: a repeat is acknowledged without running again.
      const id = `qq:${payload.id}`;
      const type = payload.t;
      const results = await runOnce(c.env, {
        platform: 'qq',
        fence: null,
        events: [payload],
        item: () => webhookItem(id),
        run: async () => {
          const ctx = createHandlerContext(c.env, { id, platform: 'qq', shard: null, type }, (p) =>
            c.executionCtx.waitUntil(p),
          );
          const outcome = await registry.dispatch({ platform: 'qq', type, data: payload.d }, ctx);
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
          return [
            outcome.errors.length > 0 ? { id, outcome: 'retry', error: 'handler failed' } : { id, outcome: 'ack' },
          ];
        },
      });
      const result = results.get(id)!;
      if (result.outcome !== 'ack') {
        // A failed handler, or the same event running right now from the websocket: not acknowledged, so
        // QQ delivers it again (and the ledger answers that delivery with what completed by then).
        throw new EdgeshardError(
          ERROR_CODES.HANDLER_FAILED,
          result.error === 'handler failed'
            ? `a handler failed for event ${id}; QQ will deliver it again (see the Worker logs)`
            : `event ${id} is being handled by another delivery right now; QQ will deliver it again`,
        );
      }
      return c.json(QQ_CALLBACK_ACK);
    },
  );

  return route;
}
