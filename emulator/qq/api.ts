// The QQ OpenAPI and token endpoint, served under /qq: POST /qq/app/getAppAccessToken (bots.qq.com) and
// /qq/api/... (api.sgroup.qq.com). Message rules from 消息 > 发送消息: a reply names the received message
// (msg_id) and is accepted within 5 minutes (groups) or 60 minutes (C2C), at most 5 times, and the same
// msg_id + msg_seq twice is refused; active (unsolicited) messages are no longer offered since 2025-04-21.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { QQMessageBody } from '../../protocol/qq.ts';
import { BodyError, compileTemplate, readJson, sendJson } from '../http.ts';
import { fail, OPENAPI_ROUTES, type QQRoute, type Result } from './openapi-routes.ts';
import { MORE_OPENAPI_ROUTES } from './openapi-routes-more.ts';
import type { QQGateway } from './gateway.ts';
import type { QQSent, QQState } from './state.ts';

export const QQ_PREFIX = '/qq';
const REPLY_WINDOW_MS = { group: 5 * 60_000, c2c: 60 * 60_000, guild: 5 * 60_000 } as const;
const MAX_REPLIES = 5;

function reply(
  state: QQState,
  scene: QQSent['scene'],
  target: string,
  body: QQMessageBody & { msg_id?: string },
): Result {
  if (body.msg_type === undefined) return fail(400, 11255, 'invalid request: msg_type is required');
  if (body.msg_type === 0 && !body.content)
    return fail(400, 11255, 'invalid request: content is required for msg_type 0');
  if (body.msg_type === 7) {
    const file = body.media?.file_info ? state.guildWorld.media.get(body.media.file_info) : undefined;
    if (!file || file.target !== target)
      return fail(400, 40034028, 'media.file_info is not a file uploaded for this group or user');
  }
  // Group and C2C active messages are no longer offered; guild channels and DMs still take them (within QQ's limits).
  if (!body.msg_id && !body.event_id && scene !== 'guild' && scene !== 'dm')
    return fail(400, 11255, 'active messages are not offered: reply with the msg_id of a received message');
  const seq = body.msg_seq ?? 1;
  if (body.msg_id) {
    const origin = state.delivered.get(body.msg_id);
    if (!origin || origin.target !== target)
      return fail(400, 40034024, `msg_id ${body.msg_id} is not a message this ${scene} sent to the bot`);
    const window = REPLY_WINDOW_MS[origin.scene];
    if (Date.now() - origin.at > window) return fail(400, 40034025, 'the reply window of this message has passed');
    if (origin.replies.has(seq))
      return fail(400, 40054005, '消息被去重，请检查请求msgseq (same msg_id and msg_seq sent twice)');
    if (origin.replies.size >= MAX_REPLIES) return fail(400, 22009, 'msg limit exceed');
    origin.replies.add(seq);
  }
  const sent: QQSent = {
    id: `ROBOT1.0_${randomBytes(12).toString('base64url')}`,
    scene,
    target,
    content: body.content ?? '',
    timestamp: Math.floor(Date.now() / 1000),
    msg_type: body.msg_type,
    ...(body.media?.file_info ? { media: body.media.file_info } : {}),
    ...(body.msg_id ? { msg_id: body.msg_id, msg_seq: seq } : {}),
    ...(body.event_id ? { event_id: body.event_id } : {}),
  };
  state.sent.push(sent);
  return [200, { id: sent.id, timestamp: sent.timestamp }];
}

/** QQ's channel write limit (20028 子频道消息触发限频); the emulator's number, as QQ publishes none. */
const CHANNEL_WRITES = { limit: 5, windowMs: 1_000 };

function channelMessage(s: QQState, channelId: string, b: Record<string, unknown>): Result {
  if (!s.guildWorld.channel(channelId)) return fail(404, 10003, 'unknown channel');
  if (!s.guildWorld.channelWrite(channelId, CHANNEL_WRITES.limit, CHANNEL_WRITES.windowMs))
    return fail(429, 20028, 'channel write rate limit (子频道消息触发限频)');
  if (!b.content && !b.markdown && !b.ark && !b.embed && !b.image)
    return fail(400, 50006, 'cannot send an empty message');
  const result = reply(s, 'guild', channelId, { msg_type: 0, content: '-', ...b } as QQMessageBody);
  if (result[0] !== 200) return result;
  const sent = result[1] as { id: string; timestamp: number };
  const ids = s.guildWorld.channelMessages.get(channelId) ?? new Set<string>();
  ids.add(sent.id);
  s.guildWorld.channelMessages.set(channelId, ids);
  const bot = s.guildWorld.member(s.guildWorld.botUserId)!.user!;
  return [
    200,
    {
      id: sent.id,
      channel_id: channelId,
      guild_id: s.guildWorld.guild.id,
      content: typeof b.content === 'string' ? b.content : '',
      timestamp: new Date(sent.timestamp * 1000).toISOString(),
      author: bot,
    },
  ];
}

const ROUTES: QQRoute[] = [
  {
    method: 'POST',
    match: compileTemplate('/v2/groups/:group_openid/messages'),
    handle: (s, p, b) =>
      s.group(p.group_openid ?? '')
        ? reply(s, 'group', p.group_openid ?? '', b as unknown as QQMessageBody)
        : fail(404, 11264, 'group not found'),
  },
  {
    method: 'POST',
    match: compileTemplate('/v2/users/:openid/messages'),
    handle: (s, p, b) =>
      s.users.includes(p.openid ?? '')
        ? reply(s, 'c2c', p.openid ?? '', b as unknown as QQMessageBody)
        : fail(404, 11264, 'user not found'),
  },
  {
    method: 'POST',
    match: compileTemplate('/channels/:channel_id/messages'),
    handle: (s, p, b) => channelMessage(s, p.channel_id ?? '', b),
  },
  {
    method: 'POST',
    match: compileTemplate('/dms/:guild_id/messages'),
    handle: (s, p, b) => reply(s, 'dm', p.guild_id ?? '', { msg_type: 0, ...b } as QQMessageBody),
  },
  {
    method: 'PUT',
    match: compileTemplate('/interactions/:interaction_id'),
    handle: (_s, _p, b) =>
      typeof b.code === 'number' ? [200, {}] : fail(400, 11255, 'invalid request: code is required'),
  },
  ...OPENAPI_ROUTES,
  ...MORE_OPENAPI_ROUTES,
];

export function createQQApi(state: QQState, gateway?: QQGateway) {
  return async (req: IncomingMessage, res: ServerResponse, path: string): Promise<void> => {
    try {
      if (path === '/app/getAppAccessToken' && req.method === 'POST') {
        const body = ((await readJson(req)) ?? {}) as { appId?: unknown; clientSecret?: unknown };
        if (body.appId !== state.appId || body.clientSecret !== state.appSecret) {
          state.counters.tokenRefusals++;
          return sendJson(res, 401, { code: 100016, message: 'invalid appid or secret' });
        }
        return sendJson(res, 200, state.issueToken());
      }
      if (!path.startsWith('/api/')) return sendJson(res, 404, { code: 404, message: 'not found' });
      state.counters.apiRequests++;
      const auth = /^QQBot (.+)$/.exec(req.headers.authorization ?? '');
      if (!auth?.[1] || !state.tokenValid(auth[1])) {
        state.counters.apiRefusals++;
        return sendJson(res, 401, { code: 11244, message: 'token not exist or expire' });
      }
      const apiPath = path.slice('/api'.length);
      if (gateway && req.method === 'GET' && (apiPath === '/gateway/bot' || apiPath === '/gateway')) {
        const bot = gateway.gatewayBot();
        return sendJson(res, 200, apiPath === '/gateway' ? { url: bot.url } : bot);
      }
      for (const route of ROUTES) {
        const params = route.match(apiPath);
        if (!params || route.method !== req.method) continue;
        const body = ((await readJson(req)) ?? {}) as Record<string, unknown>;
        const [status, payload] = route.handle(state, params, body);
        if (status >= 300) state.counters.apiRefusals++;
        if (payload === undefined) return void res.writeHead(status).end();
        return sendJson(res, status, payload);
      }
      sendJson(res, 404, { code: 404, message: `no QQ API route ${req.method} ${apiPath}` });
    } catch (err) {
      if (err instanceof BodyError) return sendJson(res, err.status, { code: err.status, message: err.message });
      throw err;
    }
  };
}
