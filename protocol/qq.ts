// QQ Bot wire types (QQ 机器人文档, api-v2): the payload every webhook callback and websocket frame carries,
// the op 13 callback validation, the events bots handle and the OpenAPI message bodies. Both the Worker and
// the emulator import these; nothing here has a runtime dependency.

/** Opcodes (开发准备 > 接口框架 > 事件订阅与通知, "OpCode 含义"). */
export const QQ_OPCODES = {
  DISPATCH: 0,
  HEARTBEAT: 1,
  IDENTIFY: 2,
  RESUME: 6,
  RECONNECT: 7,
  INVALID_SESSION: 9,
  HELLO: 10,
  HEARTBEAT_ACK: 11,
  /** Webhook only: the bot's answer to a dispatch, "I received it". */
  HTTP_CALLBACK_ACK: 12,
  /** Webhook only: the platform validates the callback URL. */
  CALLBACK_VALIDATION: 13,
} as const;

export type QQOpcode = (typeof QQ_OPCODES)[keyof typeof QQ_OPCODES];

export type { QQAttachment } from './qq-entities.ts';
export type { QQEvents, QQEventName } from './qq-events.ts';
import type { QQAttachment, QQMessage, QQUser } from './qq-entities.ts';

/** A guild (频道) user. */
export type QQGuildUser = QQUser;
/** AT_MESSAGE_CREATE, MESSAGE_CREATE, DIRECT_MESSAGE_CREATE: a message in a guild (频道) channel or DM. */
export type QQGuildMessage = QQMessage;

/** The common payload: `id` is the event id, `s` the sequence, `t` the event name (dispatch only). */
export interface QQPayload<D = unknown> {
  id?: string;
  op: number;
  d: D;
  s?: number;
  t?: string;
}

/** The signature headers QQ sends with every callback (开发准备 > 安全和授权). */
export const QQ_SIGNATURE_HEADER = 'x-signature-ed25519';
export const QQ_TIMESTAMP_HEADER = 'x-signature-timestamp';
export const QQ_APPID_HEADER = 'x-bot-appid';

/** op 13 `d`: sign `event_ts + plain_token` with the bot's key and send both back. */
export interface QQValidationRequest {
  plain_token: string;
  event_ts: string;
}

export interface QQValidationResponse {
  plain_token: string;
  /** Hex of the Ed25519 signature over `event_ts + plain_token`. */
  signature: string;
}

/** The acknowledgement of a dispatch delivered by webhook. */
export const QQ_CALLBACK_ACK = { op: QQ_OPCODES.HTTP_CALLBACK_ACK, d: 0 } as const;

/** GROUP_AT_MESSAGE_CREATE: a user @-mentions the bot in a group. `content` has the mention removed. */
export interface QQGroupAtMessage {
  id: string;
  author: { member_openid: string; id?: string; union_openid?: string };
  content: string;
  /** RFC 3339. */
  timestamp: string;
  group_openid: string;
  group_id?: string;
  attachments?: QQAttachment[];
}

/** C2C_MESSAGE_CREATE: a user writes to the bot one to one. */
export interface QQC2CMessage {
  id: string;
  author: { user_openid: string; id?: string; union_openid?: string };
  content: string;
  timestamp: string;
  attachments?: QQAttachment[];
}

/** INTERACTION_CREATE: a button click (交互 > 回调按钮). Answer with PUT /interactions/{id}. */
export interface QQInteraction {
  id: string;
  /** 11 = message button. */
  type: number;
  scene?: 'c2c' | 'group' | 'guild';
  /** 0 guild, 1 group, 2 c2c. */
  chat_type: 0 | 1 | 2;
  timestamp: string;
  guild_id?: string;
  channel_id?: string;
  user_openid?: string;
  group_openid?: string;
  group_member_openid?: string;
  data: {
    type: number;
    resolved: { button_data?: string; button_id?: string; user_id?: string; feature_id?: string; message_id?: string };
  };
  version: number;
  application_id?: string;
}

/** GROUP_ADD_ROBOT, GROUP_DEL_ROBOT, GROUP_MSG_REJECT, GROUP_MSG_RECEIVE. */
export interface QQGroupRobotEvent {
  timestamp: number;
  group_openid: string;
  op_member_openid: string;
}

/** FRIEND_ADD, FRIEND_DEL, C2C_MSG_REJECT, C2C_MSG_RECEIVE. */
export interface QQFriendEvent {
  timestamp: number;
  openid: string;
}

export interface QQMessageDeleteEvent {
  message: { id: string; channel_id: string; guild_id: string; author: { id: string; username: string; bot: boolean } };
  op_user: { id: string };
}

/** Message types of the send APIs (消息 > 发送消息, msg_type). */
export const QQ_MSG_TYPES = { TEXT: 0, MARKDOWN: 2, ARK: 3, EMBED: 4, MEDIA: 7 } as const;

/**
 * Body of POST /v2/groups/{group_openid}/messages and /v2/users/{openid}/messages. A reply (被动消息) names
 * the message it answers with `msg_id`; `msg_seq` tells several replies to one message apart (the same
 * msg_id + msg_seq twice is refused).
 */
export interface QQMessageBody {
  content?: string;
  msg_type: (typeof QQ_MSG_TYPES)[keyof typeof QQ_MSG_TYPES];
  markdown?: unknown;
  keyboard?: unknown;
  ark?: unknown;
  embed?: unknown;
  media?: { file_info: string };
  event_id?: string;
  msg_id?: string;
  msg_seq?: number;
}

/** Body of POST /channels/{channel_id}/messages and /dms/{guild_id}/messages (guild messages). */
export interface QQChannelMessageBody {
  content?: string;
  embed?: unknown;
  ark?: unknown;
  markdown?: unknown;
  image?: string;
  msg_id?: string;
  event_id?: string;
  message_reference?: { message_id: string; ignore_get_message_error?: boolean };
}

export interface QQMessageSent {
  id: string;
  timestamp: number | string;
}

/** POST https://bots.qq.com/app/getAppAccessToken (接口调用与鉴权). `expires_in` arrives as a string. */
export interface QQAccessTokenRequest {
  appId: string;
  clientSecret: string;
}

export interface QQAccessTokenResponse {
  access_token: string;
  expires_in: string | number;
}

/** OpenAPI error body. */
export interface QQApiError {
  code: number;
  message: string;
  err_code?: number;
  trace_id?: string;
}

/** QQ's production and sandbox OpenAPI bases and the token endpoint (开发准备 > 接口调用与鉴权). */
export const QQ_API_URL = 'https://api.sgroup.qq.com';
export const QQ_SANDBOX_API_URL = 'https://sandbox.api.sgroup.qq.com';
export const QQ_TOKEN_URL = 'https://bots.qq.com/app/getAppAccessToken';

/** GET /gateway/bot (获取带分片 WSS 接入点). */
export interface QQGatewayBot {
  url: string;
  shards: number;
  session_start_limit: { total: number; remaining: number; reset_after: number; max_concurrency: number };
}

/**
 * Gateway intents (事件订阅与通知 > 事件订阅 Intents), by QQ's documented name; `botgo` lists botgo's
 * constant for the same bit (dto/websocket_intent.go), accepted by EDGESHARD_QQ_INTENTS too.
 */
export const QQ_INTENTS = {
  GUILDS: { bit: 1 << 0, botgo: 'IntentGuilds' },
  GUILD_MEMBERS: { bit: 1 << 1, botgo: 'IntentGuildMembers' },
  GUILD_MESSAGES: { bit: 1 << 9, botgo: 'IntentGuildMessages' },
  GUILD_MESSAGE_REACTIONS: { bit: 1 << 10, botgo: 'IntentGuildMessageReactions' },
  DIRECT_MESSAGE: { bit: 1 << 12, botgo: 'IntentDirectMessages' },
  ENTER_AIO: { bit: 1 << 23, botgo: 'IntentEnterAIO' },
  GROUP_AND_C2C_EVENT: { bit: 1 << 25, botgo: 'IntentGroupMessages' },
  INTERACTION: { bit: 1 << 26, botgo: 'IntentInteraction' },
  MESSAGE_AUDIT: { bit: 1 << 27, botgo: 'IntentAudit' },
  FORUMS_EVENT: { bit: 1 << 28, botgo: 'IntentForum' },
  AUDIO_ACTION: { bit: 1 << 29, botgo: 'IntentAudio' },
  PUBLIC_GUILD_MESSAGES: { bit: 1 << 30, botgo: 'IntentGuildAtMessage' },
} as const satisfies Record<string, { bit: number; botgo: string }>;

export type QQIntentName = keyof typeof QQ_INTENTS;

/** Group and C2C messages, @-messages in guilds, guild changes: what a public bot may subscribe to unasked. */
export const QQ_DEFAULT_INTENTS =
  QQ_INTENTS.GUILDS.bit | QQ_INTENTS.PUBLIC_GUILD_MESSAGES.bit | QQ_INTENTS.GROUP_AND_C2C_EVENT.bit;

/** `GROUP_AND_C2C_EVENT`, `group_and_c2c_event`, `IntentGroupMessages`, `GroupMessages` → the bit, or undefined. */
export function qqIntentBit(name: string): number | undefined {
  const key = name
    .trim()
    .toUpperCase()
    .replace(/^INTENT_?/, '');
  for (const [docName, row] of Object.entries(QQ_INTENTS)) {
    const botgo = row.botgo
      .replace(/^Intent/, '')
      .replace(/([a-z])([A-Z])/g, '$1_$2')
      .toUpperCase();
    if (key === docName || key === botgo || key.replaceAll('_', '') === botgo.replaceAll('_', '')) return row.bit;
  }
  return undefined;
}
