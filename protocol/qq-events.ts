// Every QQ Bot event, name → payload (QQ 机器人文档 api-v2, 事件订阅与通知 and the per-scene event pages;
// botgo dto/websocket_event.go lists the same names). Handlers registered with `onQQ(name, …)` get `d`
// typed from QQEvents; QQ_EVENT_INTENTS says which intent delivers each event over the websocket (webhook
// subscriptions are chosen in the console instead).
import type {
  QQC2CMessage,
  QQFriendEvent,
  QQGroupAtMessage,
  QQGroupRobotEvent,
  QQInteraction,
  QQMessageDeleteEvent,
} from './qq.ts';
import { QQ_INTENTS } from './qq.ts';
import type { QQChannel, QQEmoji, QQGuild, QQMember, QQMessage, QQUser } from './qq-entities.ts';

/** GUILD_MEMBER_ADD / UPDATE / REMOVE. */
export interface QQGuildMemberEvent extends QQMember {
  guild_id: string;
  user: QQUser;
  op_user_id: string;
}

/** MESSAGE_REACTION_ADD / REMOVE (表情表态). target.type: 0 message, 1 post, 2 comment, 3 reply. */
export interface QQMessageReactionEvent {
  user_id: string;
  guild_id: string;
  channel_id: string;
  target: { id: string; type: 0 | 1 | 2 | 3 };
  emoji: QQEmoji;
}

/** MESSAGE_AUDIT_PASS / REJECT: the verdict on a message the bot sent that needed review. */
export interface QQMessageAuditEvent {
  audit_id: string;
  message_id?: string;
  guild_id: string;
  channel_id: string;
  audit_time: string;
  create_time: string;
  seq_in_channel?: string;
}

/** AUDIO_START / AUDIO_FINISH / AUDIO_ON_MIC / AUDIO_OFF_MIC. */
export interface QQAudioEvent {
  guild_id: string;
  channel_id: string;
  audio_url?: string;
  text?: string;
}

export interface QQForumThreadEvent {
  guild_id: string;
  channel_id: string;
  author_id: string;
  thread_info: { thread_id: string; title: string; content: string; date_time: string };
}

export interface QQForumPostEvent {
  guild_id: string;
  channel_id: string;
  author_id: string;
  post_info: { thread_id: string; post_id: string; content: string; date_time: string };
}

export interface QQForumReplyEvent {
  guild_id: string;
  channel_id: string;
  author_id: string;
  reply_info: { thread_id: string; post_id: string; reply_id: string; content: string; date_time: string };
}

/** FORUM_PUBLISH_AUDIT_RESULT. type: 1 thread, 2 post, 3 reply; result: 0 passed, 1 rejected. */
export interface QQForumAuditEvent {
  task_id: string;
  guild_id: string;
  channel_id: string;
  author_id: string;
  thread_id: string;
  post_id: string;
  reply_id: string;
  type: 1 | 2 | 3;
  result: 0 | 1;
  err_msg: string;
  date_time?: string;
}

/** SUBSCRIBE_MESSAGE_STATUS: a user or group allowed or refused a subscription message template. */
export interface QQSubscribeMessageStatusEvent {
  group_openid?: string;
  openid?: string;
  result: { template_id: number; custom_template_id: string; op: 1 | 2; subscribe_id: string; update_ts: number }[];
}

/** ENTER_AIO: a user opened the chat window with the bot. */
export interface QQEnterAioEvent {
  user_openid: string;
  from_source?: string;
}

/** READY (gateway only). */
export interface QQReadyEvent {
  version: number;
  session_id: string;
  user: { id: string; username: string; bot: boolean };
  shard: [number, number];
}

export interface QQEvents {
  // Gateway lifecycle (websocket only).
  READY: QQReadyEvent;
  RESUMED: string;
  // GUILDS
  GUILD_CREATE: QQGuild;
  GUILD_UPDATE: QQGuild;
  GUILD_DELETE: QQGuild;
  CHANNEL_CREATE: QQChannel;
  CHANNEL_UPDATE: QQChannel;
  CHANNEL_DELETE: QQChannel;
  // GUILD_MEMBERS
  GUILD_MEMBER_ADD: QQGuildMemberEvent;
  GUILD_MEMBER_UPDATE: QQGuildMemberEvent;
  GUILD_MEMBER_REMOVE: QQGuildMemberEvent;
  // GUILD_MESSAGES (private bots)
  MESSAGE_CREATE: QQMessage;
  MESSAGE_DELETE: QQMessageDeleteEvent;
  // GUILD_MESSAGE_REACTIONS
  MESSAGE_REACTION_ADD: QQMessageReactionEvent;
  MESSAGE_REACTION_REMOVE: QQMessageReactionEvent;
  // DIRECT_MESSAGE
  DIRECT_MESSAGE_CREATE: QQMessage;
  DIRECT_MESSAGE_DELETE: QQMessageDeleteEvent;
  // GROUP_AND_C2C_EVENT
  GROUP_AT_MESSAGE_CREATE: QQGroupAtMessage;
  C2C_MESSAGE_CREATE: QQC2CMessage;
  GROUP_ADD_ROBOT: QQGroupRobotEvent;
  GROUP_DEL_ROBOT: QQGroupRobotEvent;
  GROUP_MSG_REJECT: QQGroupRobotEvent;
  GROUP_MSG_RECEIVE: QQGroupRobotEvent;
  FRIEND_ADD: QQFriendEvent;
  FRIEND_DEL: QQFriendEvent;
  C2C_MSG_REJECT: QQFriendEvent;
  C2C_MSG_RECEIVE: QQFriendEvent;
  SUBSCRIBE_MESSAGE_STATUS: QQSubscribeMessageStatusEvent;
  // ENTER_AIO
  ENTER_AIO: QQEnterAioEvent;
  // INTERACTION
  INTERACTION_CREATE: QQInteraction;
  // MESSAGE_AUDIT
  MESSAGE_AUDIT_PASS: QQMessageAuditEvent;
  MESSAGE_AUDIT_REJECT: QQMessageAuditEvent;
  // FORUMS_EVENT (private bots)
  FORUM_THREAD_CREATE: QQForumThreadEvent;
  FORUM_THREAD_UPDATE: QQForumThreadEvent;
  FORUM_THREAD_DELETE: QQForumThreadEvent;
  FORUM_POST_CREATE: QQForumPostEvent;
  FORUM_POST_DELETE: QQForumPostEvent;
  FORUM_REPLY_CREATE: QQForumReplyEvent;
  FORUM_REPLY_DELETE: QQForumReplyEvent;
  FORUM_PUBLISH_AUDIT_RESULT: QQForumAuditEvent;
  // AUDIO_ACTION
  AUDIO_START: QQAudioEvent;
  AUDIO_FINISH: QQAudioEvent;
  AUDIO_ON_MIC: QQAudioEvent;
  AUDIO_OFF_MIC: QQAudioEvent;
  // PUBLIC_GUILD_MESSAGES
  AT_MESSAGE_CREATE: QQMessage;
  PUBLIC_MESSAGE_DELETE: QQMessageDeleteEvent;
}

export type QQEventName = keyof QQEvents;

/** Which intent delivers each event over the websocket (事件订阅 Intents); READY/RESUMED need none. */
export const QQ_EVENT_INTENTS = {
  GUILD_CREATE: QQ_INTENTS.GUILDS.bit,
  GUILD_UPDATE: QQ_INTENTS.GUILDS.bit,
  GUILD_DELETE: QQ_INTENTS.GUILDS.bit,
  CHANNEL_CREATE: QQ_INTENTS.GUILDS.bit,
  CHANNEL_UPDATE: QQ_INTENTS.GUILDS.bit,
  CHANNEL_DELETE: QQ_INTENTS.GUILDS.bit,
  GUILD_MEMBER_ADD: QQ_INTENTS.GUILD_MEMBERS.bit,
  GUILD_MEMBER_UPDATE: QQ_INTENTS.GUILD_MEMBERS.bit,
  GUILD_MEMBER_REMOVE: QQ_INTENTS.GUILD_MEMBERS.bit,
  MESSAGE_CREATE: QQ_INTENTS.GUILD_MESSAGES.bit,
  MESSAGE_DELETE: QQ_INTENTS.GUILD_MESSAGES.bit,
  MESSAGE_REACTION_ADD: QQ_INTENTS.GUILD_MESSAGE_REACTIONS.bit,
  MESSAGE_REACTION_REMOVE: QQ_INTENTS.GUILD_MESSAGE_REACTIONS.bit,
  DIRECT_MESSAGE_CREATE: QQ_INTENTS.DIRECT_MESSAGE.bit,
  DIRECT_MESSAGE_DELETE: QQ_INTENTS.DIRECT_MESSAGE.bit,
  GROUP_AT_MESSAGE_CREATE: QQ_INTENTS.GROUP_AND_C2C_EVENT.bit,
  C2C_MESSAGE_CREATE: QQ_INTENTS.GROUP_AND_C2C_EVENT.bit,
  GROUP_ADD_ROBOT: QQ_INTENTS.GROUP_AND_C2C_EVENT.bit,
  GROUP_DEL_ROBOT: QQ_INTENTS.GROUP_AND_C2C_EVENT.bit,
  GROUP_MSG_REJECT: QQ_INTENTS.GROUP_AND_C2C_EVENT.bit,
  GROUP_MSG_RECEIVE: QQ_INTENTS.GROUP_AND_C2C_EVENT.bit,
  FRIEND_ADD: QQ_INTENTS.GROUP_AND_C2C_EVENT.bit,
  FRIEND_DEL: QQ_INTENTS.GROUP_AND_C2C_EVENT.bit,
  C2C_MSG_REJECT: QQ_INTENTS.GROUP_AND_C2C_EVENT.bit,
  C2C_MSG_RECEIVE: QQ_INTENTS.GROUP_AND_C2C_EVENT.bit,
  SUBSCRIBE_MESSAGE_STATUS: QQ_INTENTS.GROUP_AND_C2C_EVENT.bit,
  ENTER_AIO: QQ_INTENTS.ENTER_AIO.bit,
  INTERACTION_CREATE: QQ_INTENTS.INTERACTION.bit,
  MESSAGE_AUDIT_PASS: QQ_INTENTS.MESSAGE_AUDIT.bit,
  MESSAGE_AUDIT_REJECT: QQ_INTENTS.MESSAGE_AUDIT.bit,
  FORUM_THREAD_CREATE: QQ_INTENTS.FORUMS_EVENT.bit,
  FORUM_THREAD_UPDATE: QQ_INTENTS.FORUMS_EVENT.bit,
  FORUM_THREAD_DELETE: QQ_INTENTS.FORUMS_EVENT.bit,
  FORUM_POST_CREATE: QQ_INTENTS.FORUMS_EVENT.bit,
  FORUM_POST_DELETE: QQ_INTENTS.FORUMS_EVENT.bit,
  FORUM_REPLY_CREATE: QQ_INTENTS.FORUMS_EVENT.bit,
  FORUM_REPLY_DELETE: QQ_INTENTS.FORUMS_EVENT.bit,
  FORUM_PUBLISH_AUDIT_RESULT: QQ_INTENTS.FORUMS_EVENT.bit,
  AUDIO_START: QQ_INTENTS.AUDIO_ACTION.bit,
  AUDIO_FINISH: QQ_INTENTS.AUDIO_ACTION.bit,
  AUDIO_ON_MIC: QQ_INTENTS.AUDIO_ACTION.bit,
  AUDIO_OFF_MIC: QQ_INTENTS.AUDIO_ACTION.bit,
  AT_MESSAGE_CREATE: QQ_INTENTS.PUBLIC_GUILD_MESSAGES.bit,
  PUBLIC_MESSAGE_DELETE: QQ_INTENTS.PUBLIC_GUILD_MESSAGES.bit,
} as const satisfies Record<Exclude<QQEventName, 'READY' | 'RESUMED'>, number>;
