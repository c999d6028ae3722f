// What a QQ shard does after the gateway closes its socket, as data: one row per close code.
// Source: QQ 机器人文档 api-v2, 开发准备 > 事件订阅与通知 > WebSocket 方式 > WebSocket 错误码 (the columns
// "是否可以重试 RESUME / IDENTIFY"); 4003–4005 from botgo's errs/err.go, which QQ's v2 table no longer lists.
// 'resume' keeps the session; 'reidentify' drops it; 'fatal' stops the shard with the fix.
import type { CloseCodeRow } from '../close-codes.ts';

const CONSOLE = 'QQ 开放平台 (q.qq.com) > your bot';

/** Internal errors 4900–4913: "内部错误，请重连" — RESUME no, IDENTIFY yes. */
export const QQ_INTERNAL_ERROR_RANGE = [4900, 4913] as const;

export const QQ_CLOSE_CODES = {
  4001: {
    action: 'fatal',
    meaning: 'invalid opcode sent (无效的 opcode)',
    fix: 'a payload edgeshard sent has an opcode QQ does not accept: report it as a bug with the shard log',
  },
  4002: {
    action: 'fatal',
    meaning: 'invalid payload sent (无效的 payload)',
    fix: 'a payload edgeshard sent could not be parsed by QQ: report it as a bug with the shard log',
  },
  4003: { action: 'resume', meaning: 'payload sent before identifying (尚未进行身份校验)' },
  4004: {
    action: 'resume',
    meaning: 'authentication failed: the access token is invalid or expired (身份校验失败)',
    refreshToken: true,
  },
  4005: { action: 'resume', meaning: 'identify sent more than once (重复的身份校验)' },
  4006: { action: 'reidentify', meaning: 'session id no longer valid (无效的 session id)' },
  4007: { action: 'reidentify', meaning: 'invalid seq when resuming (seq 错误)' },
  4008: { action: 'resume', meaning: 'payloads sent too fast (发送 payload 过快)' },
  4009: { action: 'resume', meaning: 'connection expired: reconnect and resume (连接过期)' },
  4010: {
    action: 'fatal',
    meaning: 'invalid shard (无效的 shard)',
    fix: 'the shard id must be below the shard count: use the count from GET /gateway/bot (unset EDGESHARD_SHARD_COUNT)',
  },
  4011: {
    action: 'fatal',
    meaning: 'too many guilds for one connection (连接需要处理的 guild 过多)',
    fix: 'run more shards: use the recommended count from GET /gateway/bot',
  },
  4012: {
    action: 'fatal',
    meaning: 'invalid gateway version (无效的 version)',
    fix: 'connect to the URL GET /gateway/bot returns, unchanged (check QQ_API_URL)',
  },
  4013: {
    action: 'fatal',
    meaning: 'invalid intents (无效的 intent)',
    fix: 'check EDGESHARD_QQ_INTENTS (a number or botgo intent names like GUILDS,GROUP_AND_C2C_EVENT)',
  },
  4014: {
    action: 'fatal',
    meaning: 'intents not granted to this bot (intent 无权限)',
    fix: `request the event permission in ${CONSOLE} > 开发设置, or remove it from EDGESHARD_QQ_INTENTS`,
  },
  4914: {
    action: 'fatal',
    meaning: 'bot is offline (下架): only the sandbox environment may connect',
    fix: `set QQ_SANDBOX=on to use the sandbox gateway, or publish the bot again in ${CONSOLE}`,
  },
  4915: {
    action: 'fatal',
    meaning: 'bot is banned (已封禁): connections are refused',
    fix: `apply to have the ban lifted in ${CONSOLE}; do not reconnect until then`,
  },
  1000: { action: 'resume', meaning: 'normal closure' },
  1001: { action: 'resume', meaning: 'going away' },
} as const satisfies Record<number, CloseCodeRow>;

const INTERNAL: CloseCodeRow = { action: 'reidentify', meaning: 'QQ internal error: reconnect (内部错误，请重连)' };

/** Codes not in the table (1006 abnormal closure, our own 4900 sent as a client): try to resume. */
export const QQ_UNKNOWN_CLOSE_CODE: CloseCodeRow = { action: 'resume', meaning: 'unknown close code' };

export function qqCloseCodeRow(code: number): CloseCodeRow {
  if (Object.hasOwn(QQ_CLOSE_CODES, code)) return (QQ_CLOSE_CODES as Record<number, CloseCodeRow>)[code]!;
  if (code >= QQ_INTERNAL_ERROR_RANGE[0] && code <= QQ_INTERNAL_ERROR_RANGE[1]) return INTERNAL;
  return QQ_UNKNOWN_CLOSE_CODE;
}
