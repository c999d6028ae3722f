// The HTTP control API under /_emulator, so tests and tools in another process can drive the emulator the way
// in-process tests use the Emulator object.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BodyError, compileTemplate, readJson, sendJson } from './http.ts';
import { UnknownChannelError } from './publish.ts';
import type { Emulator } from './types.ts';

export const CONTROL_PREFIX = '/_emulator';

type Body = Record<string, unknown>;
type Handler = (
  emulator: Emulator,
  body: Body,
  params: Record<string, string>,
  query: URLSearchParams,
) => [number, unknown];

interface ControlRoute {
  method: 'GET' | 'POST';
  match: (path: string) => Record<string, string> | undefined;
  handle: Handler;
}

const route = (method: 'GET' | 'POST', path: string, handle: Handler): ControlRoute => ({
  method,
  match: compileTemplate(path),
  handle,
});
const ok: [number, unknown] = [200, { ok: true }];
const shardOf = (params: Record<string, string>): number => Number(params.shard);

const ROUTES: ControlRoute[] = [
  route('GET', '/state', (e) => [200, e.counters()]),
  route('GET', '/world', (e) => [200, e.world]),
  route('GET', '/messages', (e) => [200, e.sentMessages()]),
  route('GET', '/audit-log', (e) => [200, e.auditLog()]),
  route('GET', '/dispatched', (e, _b, _p, query) => [200, e.dispatched(query.get('type') ?? undefined)]),
  route('GET', '/gateway-commands', (e, _b, _p, query) => {
    const filter: { shard?: number; op?: number } = {};
    for (const key of ['shard', 'op'] as const) {
      const raw = query.get(key);
      if (raw === null) continue;
      if (!/^\d+$/.test(raw)) return [400, { error: `${key} must be a non-negative integer, got "${raw}"` }];
      filter[key] = Number(raw);
    }
    return [200, e.commands(filter)];
  }),
  route('POST', '/say', (e, body) => {
    if (typeof body.channel_id !== 'string' || typeof body.content !== 'string')
      return [400, { error: 'channel_id and content are required strings' }];
    const input = {
      channelId: body.channel_id,
      content: body.content,
      ...(typeof body.user_id === 'string' ? { userId: body.user_id } : {}),
    };
    try {
      return [200, e.say(input)];
    } catch (err) {
      if (err instanceof UnknownChannelError) return [404, { error: err.message }];
      throw err;
    }
  }),
  route('POST', '/guilds', (e, body) => {
    const count = body.count;
    if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > 100_000)
      return [400, { error: 'count must be an integer from 1 to 100000' }];
    return [200, { added: e.addGuilds(count).length, guilds: e.world.guilds.length }];
  }),
  route('POST', '/traffic', (e, body) => {
    if (typeof body.rate !== 'number' || !(body.rate >= 0))
      return [400, { error: 'rate must be a non-negative number' }];
    e.setMessageRate(body.rate);
    return ok;
  }),
  route('POST', '/blast', (e, body) => {
    const num = (key: string) => (typeof body[key] === 'number' ? { [key]: body[key] } : {});
    e.blast({
      ...num('bytes'),
      ...num('durationMs'),
      ...num('count'),
      ...num('highWaterBytes'),
      ...num('level'),
      ...num('ratePerShard'),
    });
    return ok;
  }),
  route('POST', '/blast/stop', (e) => [200, e.stopBlast()]),
  route('GET', '/blast', (e) => [200, e.blastStats()]),
  route('POST', '/shards/:shard/drop', (e, _b, p) => (e.shardControl(shardOf(p)).drop(), ok)),
  route('POST', '/shards/:shard/close', (e, body, p) => {
    if (typeof body.code !== 'number') return [400, { error: 'code must be a number' }];
    e.shardControl(shardOf(p)).close(body.code, typeof body.reason === 'string' ? body.reason : undefined);
    return ok;
  }),
  route('POST', '/shards/:shard/reconnect', (e, _b, p) => (e.shardControl(shardOf(p)).reconnect(), ok)),
  route(
    'POST',
    '/shards/:shard/invalid-session',
    (e, body, p) => (e.shardControl(shardOf(p)).invalidSession(body.resumable === true), ok),
  ),
  route(
    'POST',
    '/shards/:shard/heartbeat-acks',
    (e, body, p) => (e.shardControl(shardOf(p)).setHeartbeatAcks(body.enabled !== false), ok),
  ),
  route('POST', '/shards/:shard/request-heartbeat', (e, _b, p) => (e.shardControl(shardOf(p)).requestHeartbeat(), ok)),
];

export function createControlHandler(emulator: () => Emulator) {
  return async (req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams): Promise<void> => {
    for (const r of ROUTES) {
      const params = r.match(path);
      if (!params || r.method !== req.method) continue;
      try {
        const body = r.method === 'POST' ? ((await readJson(req)) ?? {}) : {};
        if (typeof body !== 'object' || body === null || Array.isArray(body))
          return sendJson(res, 400, { error: 'body must be a JSON object' });
        const [status, payload] = r.handle(emulator(), body as Body, params, query);
        return sendJson(res, status, payload);
      } catch (err) {
        if (err instanceof BodyError) return sendJson(res, err.status, { error: err.message });
        if (err instanceof RangeError) return sendJson(res, 400, { error: err.message });
        throw err;
      }
    }
    sendJson(res, 404, { error: `no control route ${req.method} ${CONTROL_PREFIX}${path}` });
  };
}
