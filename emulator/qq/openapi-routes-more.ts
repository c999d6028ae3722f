// The rest of botgo's OpenAPI surface on the emulated guild (服务端API): messages read and edited, setting
// guides, channel CRUD and permissions, mutes, roles edited and assigned, DM sessions, announcements,
// schedules, audio and mic, API permission demands, reaction users, message settings. Stateful where a
// later call can observe the change; QQ's error codes for unknown guilds (10004), channels (10003) and
// messages (304026).
import { randomBytes } from 'node:crypto';
import { compileTemplate } from '../http.ts';
import type { QQGuildWorld } from './guild.ts';
import { fail, type QQRoute, type Result } from './openapi-routes.ts';
import type { QQState } from './state.ts';

const NO_CONTENT: Result = [204, undefined];
const route = (method: string, template: string, handle: QQRoute['handle']): QQRoute => ({
  method,
  match: compileTemplate(template),
  handle,
});
const g = (s: QQState, p: Record<string, string>, then: (w: QQGuildWorld) => Result): Result =>
  p.guild_id === s.guildWorld.guild.id ? then(s.guildWorld) : fail(404, 10004, 'unknown guild');
const c = (s: QQState, p: Record<string, string>, then: (w: QQGuildWorld) => Result): Result =>
  s.guildWorld.channel(p.channel_id ?? '') ? then(s.guildWorld) : fail(404, 10003, 'unknown channel');
const botMessage = (w: QQGuildWorld, channelId: string, id: string, content = '') => ({
  id,
  channel_id: channelId,
  guild_id: w.guild.id,
  content,
  timestamp: new Date().toISOString(),
  author: w.member(w.botUserId)!.user,
});
const permissions = (channelId: string, who: Record<string, string>) => ({
  channel_id: channelId,
  ...who,
  permissions: '7',
});

export const MORE_OPENAPI_ROUTES: QQRoute[] = [
  route('GET', '/channels/:channel_id/messages/:message_id', (s, p) =>
    c(s, p, (w) =>
      w.channelMessages.get(p.channel_id!)?.has(p.message_id!)
        ? [200, { message: botMessage(w, p.channel_id!, p.message_id!) }]
        : fail(404, 304026, 'unknown message'),
    ),
  ),
  route('GET', '/channels/:channel_id/messages', (s, p) =>
    c(s, p, (w) => [
      200,
      [...(w.channelMessages.get(p.channel_id!) ?? [])].map((id) => botMessage(w, p.channel_id!, id)),
    ]),
  ),
  route('PATCH', '/channels/:channel_id/messages/:message_id', (s, p, b) =>
    c(s, p, (w) =>
      w.channelMessages.get(p.channel_id!)?.has(p.message_id!)
        ? [200, botMessage(w, p.channel_id!, p.message_id!, typeof b.content === 'string' ? b.content : '')]
        : fail(404, 304026, 'unknown message'),
    ),
  ),
  route('POST', '/channels/:channel_id/settingguide', (s, p) =>
    c(s, p, (w) => [200, botMessage(w, p.channel_id!, `GUIDE_${randomBytes(6).toString('hex')}`)]),
  ),
  route('POST', '/dms/:guild_id/settingguide', (s, p) =>
    s.guildWorld.dms.has(p.guild_id ?? '')
      ? [200, { id: `GUIDE_${randomBytes(6).toString('hex')}` }]
      : fail(404, 10004, 'unknown DM session'),
  ),
  route('GET', '/guilds/:guild_id/roles/:role_id/members', (s, p) =>
    g(s, p, (w) => [200, { data: w.members.filter((m) => m.roles.includes(p.role_id!)), next: '0' }]),
  ),
  route('DELETE', '/guilds/:guild_id/members/:user_id', (s, p) =>
    g(s, p, (w) => {
      const i = w.members.findIndex((m) => m.user?.id === p.user_id);
      if (i < 0) return fail(404, 10001, 'unknown member');
      w.members.splice(i, 1);
      return NO_CONTENT;
    }),
  ),
  route('PATCH', '/guilds/:guild_id/mute', (s, p, b) =>
    g(s, p, () => (Array.isArray(b.user_ids) ? [200, { user_ids: b.user_ids }] : NO_CONTENT)),
  ),
  route('PATCH', '/guilds/:guild_id/members/:user_id/mute', (s, p) =>
    g(s, p, (w) => (w.member(p.user_id ?? '') ? NO_CONTENT : fail(404, 10001, 'unknown member'))),
  ),
  route('POST', '/guilds/:guild_id/channels', (s, p, b) =>
    g(s, p, (w) => {
      if (typeof b.name !== 'string' || b.name === '') return fail(400, 12002, 'name is required');
      const channel = {
        ...(b as object),
        id: String(900_000 + w.channels.length),
        guild_id: w.guild.id,
        name: b.name,
        type: (typeof b.type === 'number' ? b.type : 0) as 0,
      };
      w.channels.push(channel);
      return [200, channel];
    }),
  ),
  route('PATCH', '/channels/:channel_id', (s, p, b) =>
    c(s, p, (w) => {
      const ch = w.channel(p.channel_id!)!;
      if (typeof b.name === 'string') ch.name = b.name;
      return [200, ch];
    }),
  ),
  route('DELETE', '/channels/:channel_id', (s, p) =>
    c(s, p, (w) => {
      w.channels.splice(w.channels.indexOf(w.channel(p.channel_id!)!), 1);
      return NO_CONTENT;
    }),
  ),
  route('GET', '/channels/:channel_id/voice/members', (s, p) => c(s, p, () => [200, []])),
  route('GET', '/channels/:channel_id/members/:user_id/permissions', (s, p) =>
    c(s, p, () => [200, permissions(p.channel_id!, { user_id: p.user_id! })]),
  ),
  route('PUT', '/channels/:channel_id/members/:user_id/permissions', (s, p) => c(s, p, () => NO_CONTENT)),
  route('GET', '/channels/:channel_id/roles/:role_id/permissions', (s, p) =>
    c(s, p, () => [200, permissions(p.channel_id!, { role_id: p.role_id! })]),
  ),
  route('PUT', '/channels/:channel_id/roles/:role_id/permissions', (s, p) => c(s, p, () => NO_CONTENT)),
  route('POST', '/channels/:channel_id/audio', (s, p, b) =>
    c(s, p, () => (typeof b.status === 'number' ? [200, b] : fail(400, 12002, 'status is required'))),
  ),
  route('PUT', '/channels/:channel_id/mic', (s, p) => c(s, p, () => [200, {}])),
  route('DELETE', '/channels/:channel_id/mic', (s, p) => c(s, p, () => [200, {}])),
  route('PATCH', '/guilds/:guild_id/roles/:role_id', (s, p, b) =>
    g(s, p, (w) => {
      const role = w.roles.find((r) => r.id === p.role_id);
      if (!role) return fail(404, 12002, 'unknown role');
      if (typeof b.name === 'string') role.name = b.name;
      if (typeof b.color === 'number') role.color = b.color;
      return [200, { guild_id: w.guild.id, role_id: role.id, role }];
    }),
  ),
  route('DELETE', '/guilds/:guild_id/roles/:role_id', (s, p) =>
    g(s, p, (w) => {
      const i = w.roles.findIndex((r) => r.id === p.role_id);
      if (i < 0) return fail(404, 12002, 'unknown role');
      w.roles.splice(i, 1);
      return NO_CONTENT;
    }),
  ),
  route('PUT', '/guilds/:guild_id/members/:user_id/roles/:role_id', (s, p) =>
    g(s, p, (w) => {
      const m = w.member(p.user_id ?? '');
      if (!m) return fail(404, 10001, 'unknown member');
      if (!m.roles.includes(p.role_id!)) m.roles.push(p.role_id!);
      return NO_CONTENT;
    }),
  ),
  route('DELETE', '/guilds/:guild_id/members/:user_id/roles/:role_id', (s, p) =>
    g(s, p, (w) => {
      const m = w.member(p.user_id ?? '');
      if (!m) return fail(404, 10001, 'unknown member');
      m.roles = m.roles.filter((r) => r !== p.role_id);
      return NO_CONTENT;
    }),
  ),
  route('POST', '/users/@me/dms', (s, _p, b) => {
    if (b.source_guild_id !== s.guildWorld.guild.id) return fail(404, 10004, 'unknown source guild');
    if (!s.guildWorld.member(String(b.recipient_id))) return fail(404, 10001, 'unknown recipient');
    const guildId = `DM${randomBytes(6).toString('hex')}`;
    s.guildWorld.dms.add(guildId);
    return [200, { guild_id: guildId, channel_id: `${guildId}c`, create_time: String(Math.floor(Date.now() / 1000)) }];
  }),
  route('DELETE', '/dms/:guild_id/messages/:message_id', (s, p) =>
    s.sent.some((m) => m.target === p.guild_id && m.id === p.message_id)
      ? NO_CONTENT
      : fail(404, 304026, 'unknown message'),
  ),
  route('POST', '/channels/:channel_id/announces', (s, p, b) =>
    c(s, p, (w) => {
      const a = { guild_id: w.guild.id, channel_id: p.channel_id!, message_id: String(b.message_id ?? '') };
      w.announces.set(p.channel_id!, a);
      return [200, a];
    }),
  ),
  route('DELETE', '/channels/:channel_id/announces/:message_id', (s, p) =>
    c(s, p, (w) => {
      const a = w.announces.get(p.channel_id!);
      if (p.message_id !== 'all' && a?.message_id !== p.message_id) return fail(400, 501005, 'MessageID 错误');
      w.announces.delete(p.channel_id!);
      return NO_CONTENT;
    }),
  ),
  route('POST', '/guilds/:guild_id/announces', (s, p, b) =>
    g(s, p, (w) => {
      const a = {
        guild_id: w.guild.id,
        channel_id: String(b.channel_id ?? ''),
        message_id: String(b.message_id ?? ''),
        announces_type: b.announces_type ?? 0,
      };
      w.announces.set(`guild:${w.guild.id}`, a);
      return [200, a];
    }),
  ),
  route('DELETE', '/guilds/:guild_id/announces/:message_id', (s, p) =>
    g(s, p, (w) => {
      const a = w.announces.get(`guild:${w.guild.id}`);
      if (p.message_id !== 'all' && a?.message_id !== p.message_id) return fail(400, 501008, 'MessageID 不存在');
      w.announces.delete(`guild:${w.guild.id}`);
      return NO_CONTENT;
    }),
  ),
  route('GET', '/channels/:channel_id/schedules', (s, p) =>
    c(s, p, (w) => [200, [...w.schedules.values()].filter((x) => x.channel === p.channel_id).map((x) => x.schedule)]),
  ),
  route('GET', '/channels/:channel_id/schedules/:schedule_id', (s, p) =>
    c(s, p, (w) => {
      const x = w.schedules.get(p.schedule_id!);
      return x ? [200, x.schedule] : fail(404, 12002, 'unknown schedule');
    }),
  ),
  route('POST', '/channels/:channel_id/schedules', (s, p, b) =>
    c(s, p, (w) => {
      const input = b.schedule as Record<string, unknown> | undefined;
      if (!input || typeof input.name !== 'string') return fail(400, 12002, 'schedule.name is required');
      const schedule = { ...input, id: String(w.schedules.size + 1) };
      w.schedules.set(schedule.id, { channel: p.channel_id!, schedule });
      return [200, schedule];
    }),
  ),
  route('PATCH', '/channels/:channel_id/schedules/:schedule_id', (s, p, b) =>
    c(s, p, (w) => {
      const x = w.schedules.get(p.schedule_id!);
      if (!x) return fail(404, 12002, 'unknown schedule');
      x.schedule = { ...x.schedule, ...(b.schedule as object), id: p.schedule_id! };
      return [200, x.schedule];
    }),
  ),
  route('DELETE', '/channels/:channel_id/schedules/:schedule_id', (s, p) =>
    c(s, p, (w) => (w.schedules.delete(p.schedule_id!) ? NO_CONTENT : fail(404, 12002, 'unknown schedule'))),
  ),
  route('POST', '/guilds/:guild_id/api_permission/demand', (s, p, b) =>
    g(s, p, (w) => [
      200,
      {
        guild_id: w.guild.id,
        channel_id: b.channel_id,
        api_identify: b.api_identify,
        title: '机器人申请权限',
        desc: b.desc,
      },
    ]),
  ),
  route('GET', '/channels/:channel_id/messages/:message_id/reactions/:type/:id', (s, p) =>
    c(s, p, (w) => {
      const users = [...(w.reactions.get(`${p.channel_id}/${p.message_id}/${p.type}/${p.id}`) ?? [])];
      return [200, { users: users.map((id) => w.member(id)?.user).filter(Boolean), cookie: '', is_end: true }];
    }),
  ),
  route('GET', '/guilds/:guild_id/message/setting', (s, p) =>
    g(s, p, (w) => [
      200,
      {
        disable_create_dm: false,
        disable_push_msg: false,
        channel_ids: w.channels.map((ch) => ch.id),
        channel_push_max_num: 3,
      },
    ]),
  ),
];
