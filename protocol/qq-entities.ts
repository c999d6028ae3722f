// QQ Bot's objects (频道 guild, 子频道 channel, 成员 member, 身份组 role, 表情 emoji, …) as the OpenAPI
// returns them and events carry them (QQ 机器人文档 api-v2, 服务端API > 频道/子频道/成员/身份组…; field
// names as in botgo's dto/). Ids are strings; timestamps are RFC 3339 strings unless noted.

export interface QQUser {
  id: string;
  username: string;
  avatar?: string;
  bot: boolean;
  union_openid?: string;
  union_user_account?: string;
}

export interface QQGuild {
  id: string;
  name: string;
  icon: string;
  owner_id: string;
  owner: boolean;
  member_count: number;
  max_members: number;
  description: string;
  joined_at: string;
  union_world_id?: string;
  union_org_id?: string;
  /** Events only: who made the change. */
  op_user_id?: string;
}

/** 0 text, 2 voice, 4 category, 10005 live, 10006 application, 10007 forum. */
export type QQChannelType = 0 | 2 | 4 | 10005 | 10006 | 10007;

export interface QQChannelFields {
  name?: string;
  type?: QQChannelType;
  position?: number;
  parent_id?: string;
  owner_id?: string;
  /** 0 chat, 1 notice, 2 guide, 3 team game. */
  sub_type?: 0 | 1 | 2 | 3;
  /** 0 public, 1 owner/admins only, 2 admins + listed members. */
  private_type?: 0 | 1 | 2;
  private_user_ids?: string[];
  /** 1 everyone may speak, 2 listed members only. */
  speak_permission?: 1 | 2;
  application_id?: string;
  permissions?: string;
  op_user_id?: string;
}

export interface QQChannel extends QQChannelFields {
  id: string;
  guild_id: string;
  name: string;
  type: QQChannelType;
}

export interface QQMember {
  guild_id?: string;
  joined_at: string;
  nick: string;
  user?: QQUser;
  roles: string[];
  op_user_id?: string;
}

export interface QQRole {
  id: string;
  name: string;
  /** ARGB as a number; QQ's default is 4278245297. */
  color: number;
  /** 1: shown separately in the member list. */
  hoist: 0 | 1;
  number?: number;
  member_limit?: number;
}

export interface QQEmoji {
  id: string;
  /** 1 system emoji, 2 emoji character. */
  type: 1 | 2;
}

export interface QQAttachment {
  content_type: string;
  filename?: string;
  height?: number;
  width?: number;
  size?: number;
  url: string;
}

export interface QQMessageReference {
  message_id: string;
  ignore_get_message_error?: boolean;
}

/** A message in a guild channel or guild DM (消息对象 Message). */
export interface QQMessage {
  id: string;
  channel_id: string;
  guild_id: string;
  content: string;
  timestamp: string;
  edited_timestamp?: string;
  mention_everyone?: boolean;
  author: QQUser;
  attachments?: QQAttachment[];
  embeds?: unknown[];
  mentions?: QQUser[];
  member?: { joined_at?: string; roles?: string[]; nick?: string };
  ark?: unknown;
  seq?: number;
  seq_in_channel?: string;
  message_reference?: QQMessageReference;
  src_guild_id?: string;
}
