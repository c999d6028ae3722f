// Request and response bodies of QQ's OpenAPI (QQ 机器人文档 api-v2, 服务端API; field names as QQ and
// botgo's dto/ spell them). Objects shared with events (guild, channel, member, role…) are in
// protocol/qq-entities.ts.
import type { QQChannel, QQChannelFields, QQMember, QQMessage, QQRole, QQUser } from '../../../protocol/qq-entities.ts';

export type { QQChannel, QQChannelFields, QQMember, QQMessage, QQRole, QQUser };

/** GET /users/@me/guilds: before/after a guild id, limit 1–100 (default 100). */
export interface QQGuildPager {
  before?: string;
  after?: string;
  limit?: number;
}

/** GET /guilds/{guild_id}/members: after a user id ("0" first), limit 1–400. */
export interface QQGuildMembersPager {
  after?: string;
  limit?: number;
}

/** GET /guilds/{guild_id}/roles/{role_id}/members: start_index from the previous page's `next`, limit 1–400. */
export interface QQRoleMembersPager {
  start_index?: string;
  limit?: number;
}

export interface QQRoleMembersPage {
  data: QQMember[];
  /** start_index of the next page; the last page repeats it. */
  next: string;
}

/** DELETE /guilds/{guild_id}/members/{user_id}: add to the blacklist; delete the last 3/7/15/30 days (-1 all). */
export interface QQMemberDeleteOptions {
  add_blacklist?: boolean;
  delete_history_msg_days?: 0 | 3 | 7 | 15 | 30 | -1;
}

/** GET /channels/{channel_id}/messages: around/before/after a message id, limit ≤ 20. */
export interface QQMessagesPager {
  type?: 'around' | 'before' | 'after';
  id?: string;
  limit?: number;
}

/** PATCH /guilds/{guild_id}/mute and PATCH …/members/{user_id}/mute: a timestamp (s) or a duration (s); 0 lifts it. */
export interface QQMuteBody {
  mute_end_timestamp?: string;
  mute_seconds?: string;
  /** Multi-member mute only. */
  user_ids?: string[];
}

export interface QQMuteResult {
  user_ids: string[];
}

export interface QQChannelPermissions {
  channel_id: string;
  user_id?: string;
  role_id?: string;
  /** Bit set as a decimal string: 1 view, 2 manage, 4 speak, 8 live. */
  permissions: string;
}

/** PUT …/permissions: bits to add and to remove, as decimal strings. */
export interface QQUpdateChannelPermissions {
  add?: string;
  remove?: string;
}

export interface QQGuildRoles {
  guild_id: string;
  roles: QQRole[];
  role_num_limit: string;
}

export interface QQRoleFields {
  name?: string;
  color?: number;
  hoist?: 0 | 1;
}

export interface QQRoleResult {
  role_id: string;
  role: QQRole;
}

/** PUT/DELETE /guilds/{guild_id}/members/{user_id}/roles/{role_id}: the channel, for channel admin roles (5). */
export interface QQMemberRoleBody {
  channel?: { id: string };
}

/** POST /users/@me/dms: open a DM session with a member of a guild the bot shares. */
export interface QQDirectMessageToCreate {
  recipient_id: string;
  source_guild_id: string;
}

export interface QQDirectMessageSession {
  guild_id: string;
  channel_id: string;
  create_time: string;
}

export interface QQChannelAnnounceToCreate {
  message_id: string;
}

export interface QQGuildAnnounceToCreate {
  channel_id?: string;
  message_id?: string;
  /** 0 member announcement, 1 welcome announcement. */
  announces_type?: 0 | 1;
  recommend_channels?: { channel_id: string; introduce: string }[];
}

export interface QQAnnounce {
  guild_id: string;
  channel_id: string;
  message_id: string;
  announces_type?: 0 | 1;
  recommend_channels?: { channel_id: string; introduce: string }[];
}

/** 日程. Timestamps are milliseconds as strings; remind_type "0" none … "5" one day before. */
export interface QQSchedule {
  id?: string;
  name: string;
  description?: string;
  start_timestamp: string;
  end_timestamp: string;
  creator?: QQMember;
  jump_channel_id?: string;
  remind_type?: '0' | '1' | '2' | '3' | '4' | '5';
}

export interface QQApiPermission {
  path: string;
  method: string;
  desc: string;
  /** 0 not granted, 1 granted. */
  auth_status: 0 | 1;
}

export interface QQApiPermissionDemandToCreate {
  channel_id: string;
  api_identify: { path: string; method: string };
  desc: string;
}

export interface QQApiPermissionDemand {
  guild_id: string;
  channel_id: string;
  api_identify: { path: string; method: string };
  title: string;
  desc: string;
}

export interface QQPinsMessage {
  guild_id: string;
  channel_id: string;
  message_ids: string[];
}

/** GET …/reactions/{type}/{id}: cookie from the previous page, limit 1–50. */
export interface QQReactionPager {
  cookie?: string;
  limit?: number;
}

export interface QQReactionUsers {
  users: QQUser[];
  cookie: string;
  is_end: boolean;
}

/** POST /channels/{channel_id}/audio: status 0 start, 1 pause, 2 resume, 3 stop. */
export interface QQAudioControl {
  audio_url?: string;
  text?: string;
  status: 0 | 1 | 2 | 3;
}

export interface QQMessageSetting {
  disable_create_dm: boolean;
  disable_push_msg: boolean;
  channel_ids: string[];
  channel_push_max_num: number;
}

export interface QQGatewayUrl {
  url: string;
}
