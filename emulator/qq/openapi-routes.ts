// QQ OpenAPI routes beyond sending messages (服务端API): the bot user and its guild, channels, members,
// roles, recall, rich-media upload, pins, reactions and API permissions, answered with QQ's error bodies
// ({code, message}) and codes (10003 unknown channel, 10004 unknown guild, 304026 wrong msg id…).
import { randomBytes } from 'node:crypto';
import { compileTemplate } from '../http.ts';
import type { QQGuildWorld } from './guild.ts';
import type { QQState } from './state.ts';

export type Result = [number, unknown];
export interface QQRoute {
  method: string;
  match: (p: string) => Record<string, string> | undefined;
  handle: (s: QQState, p: Record<string, string>, b: Record<string, unknown>) => Result;
}

export const fail = (status: number, code: number, message: string): Result => [
  status,
  { code, message, err_code: code, trace_id: randomBytes(8).toString('hex') },
];
const NO_CONTENT: Result = [204, undefined];

const route = (method: string, template: string, handle: QQRoute['handle']): QQRoute => ({
  method,
  match: compileTemplate(template),
  handle,
});

function inGuild(w: QQGuildWorld, guildId: string | undefined, then: () => Result): Result {
  return guildId === w.guild.id ? then() : fail(404, 10004, 'unknown guild');
}
function inChannel(w: QQGuildWorld, channelId: string | undefined, then: () => Result): Result {
  return w.channel(channelId ?? '') ? then() : fail(404, 10003, 'unknown channel');
}

function recallV2(s: QQState, target: string, messageId: string): Result {
  const sent = s.sent.find((m) => m.id === messageId && m.target === target);
  if (!sent) return fail(404, 304026, `message ${messageId} was not sent by the bot here`);
  if (sent.recalled) return fail(400, 304026, `message ${messageId} was already recalled`);
  // QQ allows recalling group and C2C messages within 2 minutes of sending them.
  if (Date.now() / 1000 - sent.timestamp > 120) return fail(400, 40034026, 'messages can be recalled within 2 minutes');
  sent.recalled = true;
  return NO_CONTENT;
}

function upload(s: QQState, target: string, b: Record<string, unknown>): Result {
  if (![1, 2, 3, 4].includes(b.file_type as number))
    return fail(400, 12002, 'file_type must be 1 image, 2 video, 3 voice or 4 file');
  if (typeof b.url !== 'string' && typeof b.file_data !== 'string')
    return fail(400, 12002, 'url or file_data is required');
  if (b.srv_send_msg === true) return fail(400, 11255, 'active messages are not offered: set srv_send_msg false');
  const file = s.guildWorld.upload(target, b.file_type as number);
  return [200, { file_uuid: randomBytes(8).toString('hex'), file_info: file.file_info, ttl: 3600 }];
}

export const OPENAPI_ROUTES: QQRoute[] = [
  route('GET', '/users/@me', (s) => [200, s.guildWorld.member(s.guildWorld.botUserId)!.user]),
  route('GET', '/users/@me/guilds', (s) => [200, [s.guildWorld.guild]]),
  route('GET', '/guilds/:guild_id', (s, p) => inGuild(s.guildWorld, p.guild_id, () => [200, s.guildWorld.guild])),
  route('GET', '/guilds/:guild_id/channels', (s, p) =>
    inGuild(s.guildWorld, p.guild_id, () => [200, s.guildWorld.channels]),
  ),
  route('GET', '/channels/:channel_id', (s, p) =>
    inChannel(s.guildWorld, p.channel_id, () => [200, s.guildWorld.channel(p.channel_id!)]),
  ),
  route('GET', '/guilds/:guild_id/members', (s, p) =>
    inGuild(s.guildWorld, p.guild_id, () => [200, s.guildWorld.members]),
  ),
  route('GET', '/guilds/:guild_id/members/:user_id', (s, p) =>
    inGuild(s.guildWorld, p.guild_id, () => {
      const m = s.guildWorld.member(p.user_id ?? '');
      return m ? [200, { ...m, guild_id: p.guild_id }] : fail(404, 10001, 'unknown member');
    }),
  ),
  route('GET', '/guilds/:guild_id/roles', (s, p) =>
    inGuild(s.guildWorld, p.guild_id, () => [
      200,
      { guild_id: p.guild_id, roles: s.guildWorld.roles, role_num_limit: '32' },
    ]),
  ),
  route('POST', '/guilds/:guild_id/roles', (s, p, b) =>
    inGuild(s.guildWorld, p.guild_id, () => {
      if (typeof b.name !== 'string' || b.name === '') return fail(400, 12002, 'name is required');
      const role = {
        id: String(10_000 + s.guildWorld.roles.length),
        name: b.name,
        color: typeof b.color === 'number' ? b.color : 4278245297,
        hoist: b.hoist === 1 ? (1 as const) : (0 as const),
        number: 0,
        member_limit: 1000,
      };
      s.guildWorld.roles.push(role);
      return [200, { role_id: role.id, role }];
    }),
  ),
  route('DELETE', '/channels/:channel_id/messages/:message_id', (s, p) =>
    inChannel(s.guildWorld, p.channel_id, () =>
      s.guildWorld.channelMessages.get(p.channel_id!)?.delete(p.message_id!)
        ? NO_CONTENT
        : fail(404, 304026, `message ${p.message_id} was not sent by the bot in this channel`),
    ),
  ),
  route('DELETE', '/v2/groups/:group_openid/messages/:message_id', (s, p) =>
    recallV2(s, p.group_openid ?? '', p.message_id ?? ''),
  ),
  route('DELETE', '/v2/users/:openid/messages/:message_id', (s, p) => recallV2(s, p.openid ?? '', p.message_id ?? '')),
  route('POST', '/v2/groups/:group_openid/files', (s, p, b) =>
    s.group(p.group_openid ?? '') ? upload(s, p.group_openid!, b) : fail(404, 11264, 'group not found'),
  ),
  route('POST', '/v2/users/:openid/files', (s, p, b) =>
    s.users.includes(p.openid ?? '') ? upload(s, p.openid!, b) : fail(404, 11264, 'user not found'),
  ),
  route('GET', '/channels/:channel_id/pins', (s, p) =>
    inChannel(s.guildWorld, p.channel_id, () => [
      200,
      {
        guild_id: s.guildWorld.guild.id,
        channel_id: p.channel_id,
        message_ids: [...(s.guildWorld.pins.get(p.channel_id!) ?? [])],
      },
    ]),
  ),
  route('PUT', '/channels/:channel_id/pins/:message_id', (s, p) =>
    inChannel(s.guildWorld, p.channel_id, () => {
      const pins = s.guildWorld.pins.get(p.channel_id!) ?? new Set<string>();
      pins.add(p.message_id!);
      s.guildWorld.pins.set(p.channel_id!, pins);
      return [200, { guild_id: s.guildWorld.guild.id, channel_id: p.channel_id, message_ids: [...pins] }];
    }),
  ),
  route('DELETE', '/channels/:channel_id/pins/:message_id', (s, p) =>
    inChannel(s.guildWorld, p.channel_id, () => {
      if (p.message_id === 'all') s.guildWorld.pins.delete(p.channel_id!);
      else s.guildWorld.pins.get(p.channel_id!)?.delete(p.message_id!);
      return NO_CONTENT;
    }),
  ),
  route('PUT', '/channels/:channel_id/messages/:message_id/reactions/:type/:id', (s, p) =>
    inChannel(s.guildWorld, p.channel_id, () => {
      const key = `${p.channel_id}/${p.message_id}/${p.type}/${p.id}`;
      const users = s.guildWorld.reactions.get(key) ?? new Set<string>();
      users.add(s.guildWorld.botUserId);
      s.guildWorld.reactions.set(key, users);
      return NO_CONTENT;
    }),
  ),
  route('DELETE', '/channels/:channel_id/messages/:message_id/reactions/:type/:id', (s, p) =>
    inChannel(s.guildWorld, p.channel_id, () => {
      s.guildWorld.reactions.get(`${p.channel_id}/${p.message_id}/${p.type}/${p.id}`)?.delete(s.guildWorld.botUserId);
      return NO_CONTENT;
    }),
  ),
  route('GET', '/guilds/:guild_id/api_permission', (s, p) =>
    inGuild(s.guildWorld, p.guild_id, () => [
      200,
      {
        apis: [
          { path: '/guilds/{guild_id}/members/{user_id}', method: 'GET', desc: '获取当前频道成员信息', auth_status: 1 },
          { path: '/channels/{channel_id}/pins/{message_id}', method: 'PUT', desc: '添加精华消息', auth_status: 1 },
          { path: '/guilds/{guild_id}/mute', method: 'PATCH', desc: '禁言全员', auth_status: 0 },
        ],
      },
    ]),
  ),
];
