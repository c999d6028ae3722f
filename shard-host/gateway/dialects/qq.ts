// QQ Bot's websocket gateway as a dialect (QQ 机器人文档 api-v2, 开发准备 > 事件订阅与通知 > WebSocket 方式).
// The same opcodes as Discord; the differences are here: Identify and Resume carry `QQBot {access_token}`,
// READY names no resume URL (resume through the gateway URL), every dispatch carries QQ's event id in a
// top-level `id`, the URL takes no query and nothing is compressed, and the close codes are QQ's.
import { QQ_OPCODES } from '../../../protocol/qq.ts';
import type { Dialect } from '../dialect.ts';
import { qqCloseCodeRow } from './qq-close-codes.ts';

/** The Authorization scheme QQ uses on the gateway and the OpenAPI (开发准备 > 接口调用与鉴权). */
export const qqAuthorization = (accessToken: string): string => `QQBot ${accessToken}`;

export const qqDialect: Dialect = {
  platform: 'qq',
  name: 'QQ',
  opcodes: {
    dispatch: QQ_OPCODES.DISPATCH,
    heartbeat: QQ_OPCODES.HEARTBEAT,
    identify: QQ_OPCODES.IDENTIFY,
    resume: QQ_OPCODES.RESUME,
    reconnect: QQ_OPCODES.RECONNECT,
    invalidSession: QQ_OPCODES.INVALID_SESSION,
    hello: QQ_OPCODES.HELLO,
    heartbeatAck: QQ_OPCODES.HEARTBEAT_ACK,
  },
  closeCodeRow: qqCloseCodeRow,
  readySession(d) {
    const v = d as { session_id?: unknown } | null;
    return typeof v?.session_id === 'string' && v.session_id !== ''
      ? { sessionId: v.session_id, resumeUrl: null }
      : null;
  },
  eventId: (payload) => (typeof payload.id === 'string' && payload.id !== '' ? payload.id : undefined),
  // QQ documents no query parameters and no transport compression: the URL from /gateway/bot is used as is.
  url: (base) => base,
  identify: (input) => ({
    op: QQ_OPCODES.IDENTIFY,
    d: {
      token: qqAuthorization(input.token),
      intents: input.intents,
      shard: input.shard,
      properties: { $os: process.platform, $browser: 'edgeshard', $device: 'edgeshard' },
    },
  }),
  resume: (token, session) => ({
    op: QQ_OPCODES.RESUME,
    d: { token: qqAuthorization(token), session_id: session.sessionId, seq: session.seq },
  }),
  heartbeat: (seq) => ({ op: QQ_OPCODES.HEARTBEAT, d: seq }),
};
