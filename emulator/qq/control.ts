// Control routes for QQ under /_emulator/qq: a user @-mentions the bot (by webhook, websocket or both),
// validate the callback URL, read what the bot sent and which events were acknowledged; drive a QQ shard's
// connection (drop, close with a code, op 7, op 9) and its access tokens (expire now, shorten the lifetime).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BodyError, readJson, sendJson } from '../http.ts';
import { DeliveryError, NoTargetError } from '../interactions/deliver.ts';
import { say, validate, type QQDeps } from './webhook.ts';

export function createQQControl(deps: QQDeps) {
  const { state } = deps;
  return async (req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean> => {
    if (!path.startsWith('/qq/')) return false;
    const route = `${req.method} ${path}`;
    try {
      const shardRoute = /^POST \/qq\/shards\/(\d+)\/(drop|close|reconnect|invalid-session)$/.exec(route);
      if (shardRoute && deps.gateway) {
        const control = deps.gateway.control(Number(shardRoute[1]));
        const body = ((await readJson(req)) ?? {}) as Record<string, unknown>;
        if (shardRoute[2] === 'drop') control.drop();
        else if (shardRoute[2] === 'reconnect') control.reconnect();
        else if (shardRoute[2] === 'invalid-session') control.invalidSession();
        else if (typeof body.code !== 'number') throw new RangeError('"code" must be a number');
        else control.close(body.code, typeof body.reason === 'string' ? body.reason : '');
        sendJson(res, 200, { ok: true, connections: control.connected() });
        return true;
      }
      switch (route) {
        case 'GET /qq/gateway':
          sendJson(res, 200, { ...deps.gateway?.counters, sessions: deps.gateway?.live().length ?? 0 });
          return true;
        case 'POST /qq/blast': {
          const body = ((await readJson(req)) ?? {}) as Record<string, unknown>;
          if (typeof body.count !== 'number' || !(body.count >= 1))
            throw new RangeError('"count" must be a number ≥ 1');
          if (!deps.gateway) throw new RangeError('the QQ websocket gateway is not running');
          // Answers at once; the frames follow as fast as the sockets take them.
          void deps.gateway.blast(body.count, typeof body.bytes === 'number' ? body.bytes : 1024);
          sendJson(res, 200, { ok: true });
          return true;
        }
        case 'POST /qq/tokens/expire':
          sendJson(res, 200, { expired: state.expireTokens() });
          return true;
        case 'POST /qq/tokens/ttl': {
          const body = ((await readJson(req)) ?? {}) as Record<string, unknown>;
          if (typeof body.seconds !== 'number' || !(body.seconds >= 1))
            throw new RangeError('"seconds" must be a number ≥ 1');
          state.tokenTtlSeconds = body.seconds;
          sendJson(res, 200, { ok: true });
          return true;
        }
        case 'GET /qq/state':
          sendJson(res, 200, {
            appId: state.appId,
            groups: state.groups,
            users: state.users,
            counters: state.counters,
          });
          return true;
        case 'GET /qq/messages':
          sendJson(res, 200, state.sent);
          return true;
        case 'GET /qq/events':
          sendJson(res, 200, state.events);
          return true;
        case 'POST /qq/validate':
          sendJson(res, 200, await validate(deps));
          return true;
        case 'POST /qq/say': {
          const body = ((await readJson(req)) ?? {}) as Record<string, unknown>;
          if (typeof body.content !== 'string' || body.content === '') throw new RangeError('"content" is required');
          const result = await say(deps, {
            content: body.content,
            ...(body.scene === 'c2c' ? { scene: 'c2c' as const } : {}),
            ...(typeof body.group_openid === 'string' ? { groupOpenid: body.group_openid } : {}),
            ...(typeof body.member === 'number' ? { memberIndex: body.member } : {}),
            ...(body.via === 'webhook' || body.via === 'websocket' || body.via === 'both' || body.via === 'none'
              ? { via: body.via }
              : {}),
          });
          sendJson(res, 200, result);
          return true;
        }
        default:
          sendJson(res, 404, { error: `no control route ${route}` });
          return true;
      }
    } catch (err) {
      if (err instanceof BodyError) sendJson(res, err.status, { error: err.message });
      else if (err instanceof NoTargetError) sendJson(res, 409, { error: err.message });
      else if (err instanceof DeliveryError) sendJson(res, 502, { error: err.message });
      else if (err instanceof RangeError) sendJson(res, 400, { error: err.message });
      else throw err;
      return true;
    }
  };
}
