// The typed QQ OpenAPI handlers use (`ctx.qq`): every method of botgo's `openapi.OpenAPI` interface (names
// in camelCase; docs/qq.md has the table) plus QQ's group/C2C v2 API with rich-media upload. Every call goes
// through the REST proxy Durable Object (workers/rest/qq-proxy.ts), which holds the access token and QQ's
// frequency limits, so handlers in any isolate share them. Errors are QQApiError (QQ's code and the fix) or
// the proxy's own RateLimitedError.
//
// Passive replies (被动消息) are made safe to redeliver: `msg_seq` is derived from the event id and a
// counter of replies this handler made, so a redelivered event sends the same msg_id + msg_seq pairs, and
// QQ's "duplicate" answer (40054005) is taken as "already sent" — a redelivered event cannot reply twice.
import { EdgeshardError, ERROR_CODES, RateLimitedError } from '../../protocol/index.ts';
import type { QQC2CMessage, QQGroupAtMessage, QQGuildMessage, QQMessageBody } from '../../protocol/qq.ts';
import type { RestTransport } from '../rest/client.ts';
import { REFUSAL_HEADER, type RefusalCode, type RestResponse } from '../rest/types.ts';
import { checkMessage } from './builders.ts';
import { QQ_ACCEPTED_CODES, QQApiError } from './errors.ts';
import type * as T from './types/openapi.ts';
import type {
  QQChannelMessageToCreate,
  QQMediaUpload,
  QQMediaUploaded,
  QQMessageSentV2,
  QQV2MessageBody,
} from './types/message.ts';

export interface QQCallOptions {
  /** Refuse at once (RateLimitedError) rather than wait longer than this for QQ's frequency limits. */
  maxWaitMs?: number;
}

/** A reply's outcome; `duplicate`: QQ already had this msg_id + msg_seq (a redelivered event's reply). */
export type QQReplyResult = QQMessageSentV2 & { duplicate?: true };

const DUPLICATE_REPLY = 40054005;
const enc = encodeURIComponent;

function query(params: Record<string, string | number | boolean | undefined>): string {
  const q = Object.entries(params)
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => `${enc(k)}=${enc(String(v))}`)
    .join('&');
  return q ? `?${q}` : '';
}

/** FNV-1a of the event id: the base of its msg_seq range (QQ's msg_seq is a 32-bit int). */
function seqBase(eventId: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < eventId.length; i++) h = Math.imul(h ^ eventId.charCodeAt(i), 0x01000193) >>> 0;
  return (h % 20_000_000) * 100;
}

export class QQOpenApi {
  readonly #rest: RestTransport;
  readonly #eventId: string | undefined;
  /** Replies made so far per msg_id by this handler run. */
  readonly #replies = new Map<string, number>();

  /** `eventId`: the event this client serves (`qq:…`), so reply sequence numbers are stable across redeliveries. */
  constructor(opts: { rest: RestTransport; eventId?: string }) {
    this.#rest = opts.rest;
    this.#eventId = opts.eventId;
  }

  /** Any QQ OpenAPI call (botgo's Transport): path relative to the API base, body as JSON. */
  async request<R>(method: string, path: string, body?: unknown, options: QQCallOptions = {}): Promise<R> {
    const what = `${method} ${path}`;
    const res = await this.#rest.request({
      platform: 'qq',
      method,
      path,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      ...(options.maxWaitMs === undefined ? {} : { maxWaitMs: options.maxWaitMs }),
    });
    return this.#answer<R>(what, res);
  }

  #answer<R>(what: string, res: RestResponse): R {
    let json: unknown;
    try {
      json = res.body === '' ? undefined : JSON.parse(res.body);
    } catch {
      json = undefined;
    }
    const refusal = res.headers[REFUSAL_HEADER] as RefusalCode | undefined;
    if (refusal) {
      const body = json as { message?: string; retry_after?: number } | undefined;
      const message = `${what}: ${body?.message ?? 'refused by the REST proxy'}`;
      const wait = Math.ceil((body?.retry_after ?? 0) * 1000);
      if (refusal === 'rate_limited') throw new RateLimitedError(ERROR_CODES.RATE_LIMITED, message, wait);
      if (refusal === 'invalid_request_guard')
        throw new RateLimitedError(ERROR_CODES.INVALID_REQUEST_GUARD, message, wait);
      throw new EdgeshardError(ERROR_CODES.TOKEN_REJECTED, message);
    }
    const body = json as { code?: number; err_code?: number; message?: string; trace_id?: string } | undefined;
    // 201/202: accepted asynchronously; QQ still sends an error-shaped body (服务端API > 错误码 > http 状态码).
    const accepted = (res.status === 201 || res.status === 202) && QQ_ACCEPTED_CODES.has(body?.code ?? -1);
    if (res.status >= 300 || ((res.status === 201 || res.status === 202) && body?.code !== undefined && !accepted)) {
      const traced =
        body && res.headers['x-tps-trace-id'] ? { ...body, trace_id: res.headers['x-tps-trace-id'] } : body;
      throw new QQApiError(what, res.status, traced, res.body);
    }
    return json as R;
  }

  // ---- passive replies (message safety on redelivery) ----

  /** The next msg_seq for a reply to `msgId` from this event: deterministic across redeliveries. */
  nextMsgSeq(msgId: string): number {
    const n = (this.#replies.get(msgId) ?? 0) + 1;
    this.#replies.set(msgId, n);
    return this.#eventId === undefined ? n : seqBase(this.#eventId) + n;
  }

  async #reply(path: string, msgId: string, body: QQV2MessageBody): Promise<QQReplyResult> {
    const full: QQV2MessageBody = { ...body, msg_id: msgId, msg_seq: this.nextMsgSeq(msgId) };
    checkMessage(full);
    try {
      return await this.request<QQMessageSentV2>('POST', path, full);
    } catch (err) {
      if (err instanceof QQApiError && err.qqCode === DUPLICATE_REPLY) return { id: '', timestamp: 0, duplicate: true };
      throw err;
    }
  }

  /** Replies in the group the message came from; `reply` is text or a message body (builders.ts). */
  replyGroup(
    message: QQGroupAtMessage,
    reply: string | Omit<QQV2MessageBody, 'msg_id' | 'msg_seq'>,
  ): Promise<QQReplyResult> {
    const body = typeof reply === 'string' ? { msg_type: 0 as const, content: reply } : reply;
    return this.#reply(`/v2/groups/${enc(message.group_openid)}/messages`, message.id, body);
  }

  replyC2C(message: QQC2CMessage, reply: string | Omit<QQV2MessageBody, 'msg_id' | 'msg_seq'>): Promise<QQReplyResult> {
    const body = typeof reply === 'string' ? { msg_type: 0 as const, content: reply } : reply;
    return this.#reply(`/v2/users/${enc(message.author.user_openid)}/messages`, message.id, body);
  }

  replyChannel(message: QQGuildMessage, reply: string | QQChannelMessageToCreate): Promise<T.QQMessage> {
    const body = typeof reply === 'string' ? { content: reply } : reply;
    return this.postMessage(message.channel_id, { ...body, msg_id: message.id });
  }

  // ---- WebsocketAPI, UserAPI ----

  /** GET /gateway (botgo WS). */
  gateway(): Promise<T.QQGatewayUrl> {
    return this.request('GET', '/gateway');
  }
  me(): Promise<T.QQUser> {
    return this.request('GET', '/users/@me');
  }
  meGuilds(pager: T.QQGuildPager = {}): Promise<import('../../protocol/qq-entities.ts').QQGuild[]> {
    const p = pager.after ? { after: pager.after, limit: pager.limit } : { before: pager.before, limit: pager.limit };
    return this.request('GET', `/users/@me/guilds${query(p)}`);
  }

  // ---- MessageAPI ----

  message(channelId: string, messageId: string): Promise<T.QQMessage> {
    return this.request<{ message: T.QQMessage }>('GET', `/channels/${enc(channelId)}/messages/${enc(messageId)}`).then(
      (r) => r.message,
    );
  }
  messages(channelId: string, pager: T.QQMessagesPager = {}): Promise<T.QQMessage[]> {
    const p: Record<string, string | number | undefined> = { limit: pager.limit };
    if (pager.type && pager.id) p[pager.type] = pager.id;
    return this.request('GET', `/channels/${enc(channelId)}/messages${query(p)}`);
  }
  postMessage(channelId: string, body: QQChannelMessageToCreate, options?: QQCallOptions): Promise<T.QQMessage> {
    checkMessage(body);
    return this.request('POST', `/channels/${enc(channelId)}/messages`, body, options);
  }
  patchMessage(channelId: string, messageId: string, body: QQChannelMessageToCreate): Promise<T.QQMessage> {
    checkMessage(body);
    return this.request('PATCH', `/channels/${enc(channelId)}/messages/${enc(messageId)}`, body);
  }
  /** Recall (撤回); `hidetip` hides the "message recalled" notice. */
  retractMessage(channelId: string, messageId: string, options: { hidetip?: boolean } = {}): Promise<void> {
    return this.request(
      'DELETE',
      `/channels/${enc(channelId)}/messages/${enc(messageId)}${query({ hidetip: options.hidetip })}`,
    );
  }
  postSettingGuide(channelId: string, atUserIds: string[] = []): Promise<T.QQMessage> {
    const content = atUserIds.map((id) => `<@${id}>`).join('');
    return this.request('POST', `/channels/${enc(channelId)}/settingguide`, { content, setting_guide: {} });
  }
  postGroupMessage(groupOpenid: string, body: QQV2MessageBody, options?: QQCallOptions): Promise<QQMessageSentV2> {
    checkMessage(body);
    return this.request('POST', `/v2/groups/${enc(groupOpenid)}/messages`, body, options);
  }
  postC2CMessage(openid: string, body: QQV2MessageBody, options?: QQCallOptions): Promise<QQMessageSentV2> {
    checkMessage(body);
    return this.request('POST', `/v2/users/${enc(openid)}/messages`, body, options);
  }
  retractGroupMessage(groupOpenid: string, messageId: string): Promise<void> {
    return this.request('DELETE', `/v2/groups/${enc(groupOpenid)}/messages/${enc(messageId)}`);
  }
  retractC2CMessage(openid: string, messageId: string): Promise<void> {
    return this.request('DELETE', `/v2/users/${enc(openid)}/messages/${enc(messageId)}`);
  }
  /** Rich media (富媒体): upload, then send `{ msg_type: 7, media: { file_info } }` (or srv_send_msg: true). */
  uploadGroupMedia(groupOpenid: string, upload: QQMediaUpload): Promise<QQMediaUploaded> {
    return this.request('POST', `/v2/groups/${enc(groupOpenid)}/files`, upload);
  }
  uploadC2CMedia(openid: string, upload: QQMediaUpload): Promise<QQMediaUploaded> {
    return this.request('POST', `/v2/users/${enc(openid)}/files`, upload);
  }

  // ---- DirectMessageAPI (guild DMs) ----

  createDirectMessage(dm: T.QQDirectMessageToCreate): Promise<T.QQDirectMessageSession> {
    return this.request('POST', '/users/@me/dms', dm);
  }
  postDirectMessage(dm: { guild_id: string }, body: QQChannelMessageToCreate): Promise<T.QQMessage> {
    checkMessage(body);
    return this.request('POST', `/dms/${enc(dm.guild_id)}/messages`, body);
  }
  retractDMMessage(guildId: string, messageId: string, options: { hidetip?: boolean } = {}): Promise<void> {
    return this.request(
      'DELETE',
      `/dms/${enc(guildId)}/messages/${enc(messageId)}${query({ hidetip: options.hidetip })}`,
    );
  }
  postDMSettingGuide(dm: { guild_id: string }, jumpGuildId: string): Promise<T.QQMessage> {
    return this.request('POST', `/dms/${enc(dm.guild_id)}/settingguide`, { jump_guild_id: jumpGuildId });
  }

  // ---- GuildAPI, MemberAPI (mute) ----

  guild(guildId: string): Promise<import('../../protocol/qq-entities.ts').QQGuild> {
    return this.request('GET', `/guilds/${enc(guildId)}`);
  }
  guildMember(guildId: string, userId: string): Promise<T.QQMember> {
    return this.request('GET', `/guilds/${enc(guildId)}/members/${enc(userId)}`);
  }
  guildMembers(guildId: string, pager: T.QQGuildMembersPager = {}): Promise<T.QQMember[]> {
    return this.request(
      'GET',
      `/guilds/${enc(guildId)}/members${query({ after: pager.after ?? '0', limit: pager.limit })}`,
    );
  }
  guildRoleMembers(guildId: string, roleId: string, pager: T.QQRoleMembersPager = {}): Promise<T.QQRoleMembersPage> {
    const q = query({ start_index: pager.start_index ?? '0', limit: pager.limit });
    return this.request('GET', `/guilds/${enc(guildId)}/roles/${enc(roleId)}/members${q}`);
  }
  deleteGuildMember(guildId: string, userId: string, options: T.QQMemberDeleteOptions = {}): Promise<void> {
    return this.request('DELETE', `/guilds/${enc(guildId)}/members/${enc(userId)}`, options);
  }
  /** Mutes the whole guild (全员禁言). */
  guildMute(guildId: string, mute: T.QQMuteBody): Promise<void> {
    return this.request('PATCH', `/guilds/${enc(guildId)}/mute`, mute);
  }
  memberMute(guildId: string, userId: string, mute: T.QQMuteBody): Promise<void> {
    return this.request('PATCH', `/guilds/${enc(guildId)}/members/${enc(userId)}/mute`, mute);
  }
  multiMemberMute(guildId: string, mute: T.QQMuteBody & { user_ids: string[] }): Promise<T.QQMuteResult> {
    return this.request('PATCH', `/guilds/${enc(guildId)}/mute`, mute);
  }

  // ---- ChannelAPI, ChannelPermissionsAPI ----

  channel(channelId: string): Promise<T.QQChannel> {
    return this.request('GET', `/channels/${enc(channelId)}`);
  }
  channels(guildId: string): Promise<T.QQChannel[]> {
    return this.request('GET', `/guilds/${enc(guildId)}/channels`);
  }
  postChannel(guildId: string, value: T.QQChannelFields & { name: string }): Promise<T.QQChannel> {
    return this.request('POST', `/guilds/${enc(guildId)}/channels`, value);
  }
  patchChannel(channelId: string, value: T.QQChannelFields): Promise<T.QQChannel> {
    return this.request('PATCH', `/channels/${enc(channelId)}`, value);
  }
  deleteChannel(channelId: string): Promise<void> {
    return this.request('DELETE', `/channels/${enc(channelId)}`);
  }
  /** A private channel visible to admins and `userIds` (private_type 2). */
  createPrivateChannel(
    guildId: string,
    value: T.QQChannelFields & { name: string },
    userIds: string[],
  ): Promise<T.QQChannel> {
    return this.postChannel(guildId, { ...value, private_type: 2, private_user_ids: userIds });
  }
  listVoiceChannelMembers(channelId: string): Promise<T.QQMember[]> {
    return this.request('GET', `/channels/${enc(channelId)}/voice/members`);
  }
  channelPermissions(channelId: string, userId: string): Promise<T.QQChannelPermissions> {
    return this.request('GET', `/channels/${enc(channelId)}/members/${enc(userId)}/permissions`);
  }
  putChannelPermissions(channelId: string, userId: string, p: T.QQUpdateChannelPermissions): Promise<void> {
    return this.request('PUT', `/channels/${enc(channelId)}/members/${enc(userId)}/permissions`, p);
  }
  channelRolesPermissions(channelId: string, roleId: string): Promise<T.QQChannelPermissions> {
    return this.request('GET', `/channels/${enc(channelId)}/roles/${enc(roleId)}/permissions`);
  }
  putChannelRolesPermissions(channelId: string, roleId: string, p: T.QQUpdateChannelPermissions): Promise<void> {
    return this.request('PUT', `/channels/${enc(channelId)}/roles/${enc(roleId)}/permissions`, p);
  }

  // ---- AudioAPI ----

  postAudio(channelId: string, control: T.QQAudioControl): Promise<T.QQAudioControl> {
    return this.request('POST', `/channels/${enc(channelId)}/audio`, control);
  }
  putMic(channelId: string): Promise<void> {
    return this.request('PUT', `/channels/${enc(channelId)}/mic`, {});
  }
  deleteMic(channelId: string): Promise<void> {
    return this.request('DELETE', `/channels/${enc(channelId)}/mic`, {});
  }

  // ---- RoleAPI, MemberAPI (roles) ----

  roles(guildId: string): Promise<T.QQGuildRoles> {
    return this.request('GET', `/guilds/${enc(guildId)}/roles`);
  }
  postRole(guildId: string, role: T.QQRoleFields): Promise<T.QQRoleResult> {
    return this.request('POST', `/guilds/${enc(guildId)}/roles`, role);
  }
  patchRole(guildId: string, roleId: string, role: T.QQRoleFields): Promise<T.QQRoleResult> {
    return this.request('PATCH', `/guilds/${enc(guildId)}/roles/${enc(roleId)}`, role);
  }
  deleteRole(guildId: string, roleId: string): Promise<void> {
    return this.request('DELETE', `/guilds/${enc(guildId)}/roles/${enc(roleId)}`);
  }
  memberAddRole(guildId: string, roleId: string, userId: string, body: T.QQMemberRoleBody = {}): Promise<void> {
    return this.request('PUT', `/guilds/${enc(guildId)}/members/${enc(userId)}/roles/${enc(roleId)}`, body);
  }
  memberDeleteRole(guildId: string, roleId: string, userId: string, body: T.QQMemberRoleBody = {}): Promise<void> {
    return this.request('DELETE', `/guilds/${enc(guildId)}/members/${enc(userId)}/roles/${enc(roleId)}`, body);
  }

  // ---- AnnouncesAPI ----

  createChannelAnnounces(channelId: string, a: T.QQChannelAnnounceToCreate): Promise<T.QQAnnounce> {
    return this.request('POST', `/channels/${enc(channelId)}/announces`, a);
  }
  deleteChannelAnnounces(channelId: string, messageId: string): Promise<void> {
    return this.request('DELETE', `/channels/${enc(channelId)}/announces/${enc(messageId)}`);
  }
  /** Deletes the channel's announcement whatever its message id. */
  cleanChannelAnnounces(channelId: string): Promise<void> {
    return this.deleteChannelAnnounces(channelId, 'all');
  }
  createGuildAnnounces(guildId: string, a: T.QQGuildAnnounceToCreate): Promise<T.QQAnnounce> {
    return this.request('POST', `/guilds/${enc(guildId)}/announces`, a);
  }
  deleteGuildAnnounces(guildId: string, messageId: string): Promise<void> {
    return this.request('DELETE', `/guilds/${enc(guildId)}/announces/${enc(messageId)}`);
  }
  cleanGuildAnnounces(guildId: string): Promise<void> {
    return this.deleteGuildAnnounces(guildId, 'all');
  }

  // ---- ScheduleAPI ----

  /** The day's schedules from `since` (ms; 0 or absent: today). */
  listSchedules(channelId: string, since?: number): Promise<T.QQSchedule[]> {
    return this.request('GET', `/channels/${enc(channelId)}/schedules${query({ since: since || undefined })}`);
  }
  getSchedule(channelId: string, scheduleId: string): Promise<T.QQSchedule> {
    return this.request('GET', `/channels/${enc(channelId)}/schedules/${enc(scheduleId)}`);
  }
  createSchedule(channelId: string, schedule: T.QQSchedule): Promise<T.QQSchedule> {
    return this.request('POST', `/channels/${enc(channelId)}/schedules`, { schedule });
  }
  modifySchedule(channelId: string, scheduleId: string, schedule: T.QQSchedule): Promise<T.QQSchedule> {
    return this.request('PATCH', `/channels/${enc(channelId)}/schedules/${enc(scheduleId)}`, { schedule });
  }
  deleteSchedule(channelId: string, scheduleId: string): Promise<void> {
    return this.request('DELETE', `/channels/${enc(channelId)}/schedules/${enc(scheduleId)}`);
  }

  // ---- APIPermissionsAPI ----

  getAPIPermissions(guildId: string): Promise<{ apis: T.QQApiPermission[] }> {
    return this.request('GET', `/guilds/${enc(guildId)}/api_permission`);
  }
  /** Sends the guild admins a request to grant an API (ErrorGuildAuthNotPass 11264 is the usual reason). */
  requireAPIPermissions(guildId: string, demand: T.QQApiPermissionDemandToCreate): Promise<T.QQApiPermissionDemand> {
    return this.request('POST', `/guilds/${enc(guildId)}/api_permission/demand`, demand);
  }

  // ---- PinsAPI ----

  addPins(channelId: string, messageId: string): Promise<T.QQPinsMessage> {
    return this.request('PUT', `/channels/${enc(channelId)}/pins/${enc(messageId)}`);
  }
  deletePins(channelId: string, messageId: string): Promise<void> {
    return this.request('DELETE', `/channels/${enc(channelId)}/pins/${enc(messageId)}`);
  }
  cleanPins(channelId: string): Promise<void> {
    return this.deletePins(channelId, 'all');
  }
  getPins(channelId: string): Promise<T.QQPinsMessage> {
    return this.request('GET', `/channels/${enc(channelId)}/pins`);
  }

  // ---- MessageReactionAPI ----

  createMessageReaction(channelId: string, messageId: string, emoji: { id: string; type: 1 | 2 }): Promise<void> {
    return this.request(
      'PUT',
      `/channels/${enc(channelId)}/messages/${enc(messageId)}/reactions/${emoji.type}/${enc(emoji.id)}`,
    );
  }
  deleteOwnMessageReaction(channelId: string, messageId: string, emoji: { id: string; type: 1 | 2 }): Promise<void> {
    return this.request(
      'DELETE',
      `/channels/${enc(channelId)}/messages/${enc(messageId)}/reactions/${emoji.type}/${enc(emoji.id)}`,
    );
  }
  getMessageReactionUsers(
    channelId: string,
    messageId: string,
    emoji: { id: string; type: 1 | 2 },
    pager: T.QQReactionPager = {},
  ): Promise<T.QQReactionUsers> {
    const q = query({ cookie: pager.cookie, limit: pager.limit ?? 20 });
    return this.request(
      'GET',
      `/channels/${enc(channelId)}/messages/${enc(messageId)}/reactions/${emoji.type}/${enc(emoji.id)}${q}`,
    );
  }

  // ---- InteractionAPI, MessageSettingAPI ----

  /** Answers a button click (INTERACTION_CREATE): code 0 success, 1 failure, 2 too frequent, 3 duplicate, 4 no permission, 5 admins only. */
  putInteraction(interactionId: string, code: 0 | 1 | 2 | 3 | 4 | 5 = 0): Promise<void> {
    return this.request('PUT', `/interactions/${enc(interactionId)}`, { code });
  }
  getMessageSetting(guildId: string): Promise<T.QQMessageSetting> {
    return this.request('GET', `/guilds/${enc(guildId)}/message/setting`);
  }

  // ---- earlier names, kept ----

  /** @deprecated use postGroupMessage */
  sendGroupMessage(groupOpenid: string, body: QQMessageBody): Promise<QQMessageSentV2> {
    return this.postGroupMessage(groupOpenid, body as QQV2MessageBody);
  }
  /** @deprecated use postC2CMessage */
  sendC2CMessage(openid: string, body: QQMessageBody): Promise<QQMessageSentV2> {
    return this.postC2CMessage(openid, body as QQV2MessageBody);
  }
  /** @deprecated use putInteraction */
  ackInteraction(interactionId: string, code: 0 | 1 | 2 | 3 | 4 | 5 = 0): Promise<void> {
    return this.putInteraction(interactionId, code);
  }
}
