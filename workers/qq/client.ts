// The typed QQ OpenAPI client handlers use (`ctx.qq`). Authorization is `QQBot {access_token}`
// (开发准备 > 接口调用与鉴权); the transport is injectable so calls can leave through a whitelisted host.
import { EdgeshardError, ERROR_CODES } from '../../protocol/index.ts';
import type {
  QQApiError,
  QQC2CMessage,
  QQChannelMessageBody,
  QQGroupAtMessage,
  QQGuildMessage,
  QQMessageBody,
  QQMessageSent,
} from '../../protocol/qq.ts';
import type { QQTokenSource } from './token.ts';
import type { QQTransport } from './transport.ts';

export class QQOpenApi {
  readonly #apiUrl: string;
  readonly #appId: string;
  readonly #tokens: QQTokenSource;
  readonly #transport: QQTransport;

  constructor(opts: { apiUrl: string; appId: string; tokens: QQTokenSource; transport: QQTransport }) {
    this.#apiUrl = opts.apiUrl.replace(/\/$/, '');
    this.#appId = opts.appId;
    this.#tokens = opts.tokens;
    this.#transport = opts.transport;
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const token = await this.#tokens.get();
      const res = await this.#transport(this.#apiUrl + path, {
        method,
        headers: {
          authorization: `QQBot ${token}`,
          'x-union-appid': this.#appId,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await res.text();
      // A token revoked early (secret reset) is refused with 401: fetch a new one once.
      if (res.status === 401 && attempt === 0) {
        this.#tokens.invalidate();
        continue;
      }
      if (res.status < 200 || res.status >= 300) {
        let detail = text.slice(0, 300);
        try {
          const err = JSON.parse(text) as QQApiError;
          detail = `code ${err.code}: ${err.message}`;
        } catch {
          // not JSON: keep the text
        }
        throw new EdgeshardError(
          ERROR_CODES.UPSTREAM_HTTP,
          `QQ answered ${res.status} to ${method} ${path}: ${detail}`,
        );
      }
      return (text === '' ? undefined : JSON.parse(text)) as T;
    }
  }

  /** POST /v2/groups/{group_openid}/messages (消息 > 发送消息 > 群聊). */
  sendGroupMessage(groupOpenid: string, body: QQMessageBody): Promise<QQMessageSent> {
    return this.request('POST', `/v2/groups/${encodeURIComponent(groupOpenid)}/messages`, body);
  }

  /** POST /v2/users/{openid}/messages (单聊). */
  sendC2CMessage(openid: string, body: QQMessageBody): Promise<QQMessageSent> {
    return this.request('POST', `/v2/users/${encodeURIComponent(openid)}/messages`, body);
  }

  /** POST /channels/{channel_id}/messages (文字子频道). */
  sendChannelMessage(channelId: string, body: QQChannelMessageBody): Promise<QQMessageSent> {
    return this.request('POST', `/channels/${encodeURIComponent(channelId)}/messages`, body);
  }

  /** POST /dms/{guild_id}/messages (频道私信). */
  sendDirectMessage(guildId: string, body: QQChannelMessageBody): Promise<QQMessageSent> {
    return this.request('POST', `/dms/${encodeURIComponent(guildId)}/messages`, body);
  }

  /** PUT /interactions/{interaction_id}: acknowledges a button click; code 0 = success. */
  ackInteraction(interactionId: string, code = 0): Promise<unknown> {
    return this.request('PUT', `/interactions/${encodeURIComponent(interactionId)}`, { code });
  }

  /**
   * Replies to a received message (a passive reply, 被动消息): `msg_id` names it, `seq` numbers several
   * replies to the same message (QQ refuses the same msg_id + msg_seq twice, which also makes a retried
   * event's reply fail instead of duplicating).
   */
  replyGroup(message: QQGroupAtMessage, content: string, seq = 1): Promise<QQMessageSent> {
    return this.sendGroupMessage(message.group_openid, { content, msg_type: 0, msg_id: message.id, msg_seq: seq });
  }

  replyC2C(message: QQC2CMessage, content: string, seq = 1): Promise<QQMessageSent> {
    return this.sendC2CMessage(message.author.user_openid, { content, msg_type: 0, msg_id: message.id, msg_seq: seq });
  }

  replyChannel(message: QQGuildMessage, content: string): Promise<QQMessageSent> {
    return this.sendChannelMessage(message.channel_id, { content, msg_id: message.id });
  }
}
