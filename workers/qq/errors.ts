// QQ OpenAPI errors, typed: the HTTP status and QQ's `code` (QQ 机器人文档, 服务端API > 错误码), with what
// each means and the fix, as data. `retry` marks the codes QQ documents as "一般重试一次会好，最多只能重试一次"
// (retry once); `rate` the frequency-limit ones the REST proxy backs off from.
import { EdgeshardError, ERROR_CODES } from '../../protocol/index.ts';

export interface QQErrorRow {
  meaning: string;
  fix: string;
  /** QQ says a single retry usually succeeds. */
  retry?: true;
  /** A frequency limit: wait, then send again. */
  rate?: true;
}

const CONSOLE = 'QQ 开放平台 (q.qq.com) > your bot';
const RETRY_ONCE = "a system error on QQ's side; edgeshard retries it once (QQ allows one retry)";

/** One row per code QQ documents that a handler can act on. */
export const QQ_ERROR_CODES: Record<number, QQErrorRow> = {
  10001: { meaning: 'unknown account (账号异常)', fix: 'check the user or bot id' },
  10003: { meaning: 'unknown channel (子频道异常)', fix: 'the channel id is wrong or the channel was deleted' },
  10004: { meaning: 'unknown guild (频道异常)', fix: 'the guild id is wrong or the bot left that guild' },
  11241: { meaning: 'token missing (缺少 token)', fix: 'edgeshard adds the token: report this as a bug' },
  11242: { meaning: 'token check failed (校验 token 失败)', fix: RETRY_ONCE, retry: true },
  11243: { meaning: 'token refused (校验 token 未通过)', fix: 'check QQ_APP_ID and QQ_APP_SECRET on the Worker' },
  11244: {
    meaning: 'access token expired or unknown (token 过期或者不存在)',
    fix: 'edgeshard fetches a new token and retries once; if it persists, check QQ_APP_SECRET and QQ_TOKEN_URL',
  },
  11251: { meaning: 'wrong appid (appid 错误)', fix: 'check QQ_APP_ID on the Worker' },
  11252: { meaning: 'app privilege check failed (检查应用权限失败)', fix: RETRY_ONCE, retry: true },
  11253: {
    meaning: 'the bot may not call this API (检查应用权限不通过)',
    fix: `request the API permission in ${CONSOLE} (or ask an admin with ctx.qq.requireApiPermission)`,
  },
  11254: { meaning: 'this API is banned for the bot (应用接口被封禁)', fix: `see the notice in ${CONSOLE}` },
  11262: {
    meaning: 'this API does not accept a bot token (不支持 Bot Token)',
    fix: 'this call is for user OAuth tokens only',
  },
  11263: { meaning: 'guild permission check failed (检查频道权限失败)', fix: RETRY_ONCE, retry: true },
  11264: {
    meaning: 'the guild did not grant this permission (检查小站权限未通过)',
    fix: 'ask the guild admin to grant the bot this permission (ctx.qq.requireApiPermission sends the request)',
  },
  11265: { meaning: 'the bot is banned (机器人已经被封禁)', fix: `apply to have the ban lifted in ${CONSOLE}` },
  11281: { meaning: 'admin check failed (检查是否是管理员失败)', fix: RETRY_ONCE, retry: true },
  11282: { meaning: 'the bot is not an admin (需要管理员权限)', fix: 'ask the guild owner to make the bot an admin' },
  12002: {
    meaning: 'invalid request body (请求体错误)',
    fix: "check the body against QQ's documentation for this API",
  },
  20028: {
    meaning: 'channel write rate limit (子频道消息触发限频)',
    fix: 'send fewer messages to this channel',
    rate: true,
  },
  22009: {
    meaning: 'message limit exceeded (msg limit exceed)',
    fix: 'at most 5 replies per received message',
    rate: true,
  },
  40034024: {
    meaning: 'msg_id is not a message the bot received here',
    fix: 'reply with the id of a received message',
  },
  40034025: {
    meaning: 'the reply window has passed (回复的消息过期)',
    fix: 'reply within 5 min (group) / 60 min (C2C)',
  },
  40054005: {
    meaning: 'duplicate reply: same msg_id and msg_seq (消息被去重)',
    fix: 'edgeshard treats it as already sent: a redelivered event does not reply twice',
  },
  50006: { meaning: 'empty message (消息为空)', fix: 'give content, markdown, ark, embed, media or an image' },
  304003: { meaning: 'URL not registered (url 未报备)', fix: `register the URL's domain in ${CONSOLE} > 开发设置` },
  304004: { meaning: 'no permission to send ark messages', fix: `apply for ark templates in ${CONSOLE}` },
  304005: { meaning: 'embed too long (embed 长度超限)', fix: 'shorten the embed' },
  304011: { meaning: 'template not found (模板不存在)', fix: 'check the template id' },
  304014: { meaning: 'no permission for this template', fix: `apply for the template in ${CONSOLE}` },
  304018: { meaning: 'the bot is not connected to the gateway', fix: 'start a shard host with QQ credentials' },
  304022: { meaning: 'push time limit (推送消息时间限制)', fix: 'active messages are not allowed at this hour' },
  304023: {
    meaning: 'accepted, waiting for manual review (等待人工审核)',
    fix: 'nothing: MESSAGE_AUDIT_PASS/REJECT follows',
  },
  304024: { meaning: 'reply accepted, waiting for manual review', fix: 'nothing: MESSAGE_AUDIT_PASS/REJECT follows' },
  304026: {
    meaning: 'wrong msg_id for the reply (回复的消息 id 错误)',
    fix: 'reply with the id of a received message',
  },
  304027: { meaning: 'the replied-to message expired (回复的消息过期)', fix: 'reply sooner' },
  304028: { meaning: 'may only reply to messages that @-mention the bot', fix: 'reply to AT_MESSAGE_CREATE events' },
  1100100: { meaning: 'security: message rate limited (消息被限频)', fix: 'send fewer messages', rate: true },
  1100101: { meaning: 'security: sensitive content (内容涉及敏感)', fix: 'change the message content' },
  1100104: { meaning: 'the group is gone (该群已失效)', fix: 'stop messaging this group' },
  1100308: { meaning: 'guild rate limit (触发频道内限频)', fix: 'send fewer messages in this guild', rate: true },
};

/** Codes in 201/202 bodies that mean "accepted" (异步操作成功), not failure. */
export const QQ_ACCEPTED_CODES = new Set([304023, 304024]);

export function qqErrorRow(code: number | undefined): QQErrorRow | undefined {
  return code === undefined ? undefined : QQ_ERROR_CODES[code];
}

/** Whether a QQ answer is a frequency limit: HTTP 429 (频率限制) or a rate code in the body. */
export function isQQRateLimit(status: number, code: number | undefined): boolean {
  return status === 429 || qqErrorRow(code)?.rate === true;
}

/** An error QQ's OpenAPI answered: HTTP status, QQ's code, its trace id (X-Tps-trace-ID) and the fix. */
export class QQApiError extends EdgeshardError {
  readonly status: number;
  /** QQ's `code` (or `err_code`); undefined when the body was not QQ's JSON. */
  readonly qqCode: number | undefined;
  readonly traceId: string | undefined;
  readonly fix: string | undefined;
  constructor(
    what: string,
    status: number,
    body: { code?: number; err_code?: number; message?: string; trace_id?: string } | undefined,
    raw: string,
  ) {
    const qqCode = body?.code ?? body?.err_code;
    const row = qqErrorRow(qqCode);
    const detail = body?.message ?? raw.slice(0, 200);
    super(
      ERROR_CODES.QQ_API,
      `QQ answered ${status} to ${what}${qqCode === undefined ? '' : ` with code ${qqCode}`}: ${detail}` +
        (row ? ` (${row.meaning}). Fix: ${row.fix}` : ''),
    );
    this.status = status;
    this.qqCode = qqCode;
    this.traceId = body?.trace_id;
    this.fix = row?.fix;
  }
}
