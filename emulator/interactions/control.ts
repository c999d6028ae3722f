// Control routes for interactions under /_emulator: send a signed interaction to the Worker and get back
// what happened, list interactions and registered commands, set the Worker URL.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BodyError, readJson, sendJson } from '../http.ts';
import type { InteractionInput, InteractionPlace } from './build.ts';
import { DeliveryError, NoTargetError, type WebhookTarget } from './deliver.ts';
import { sendInteraction, type InteractionsDeps } from './send.ts';

type Body = Record<string, unknown>;

function inputFrom(body: Body): InteractionInput {
  const kind = body.type ?? 'command';
  if (kind === 'ping') return { type: 'ping' };
  if (kind === 'command') {
    if (typeof body.name !== 'string') throw new RangeError('"name" (the command name) is required');
    return {
      type: 'command',
      name: body.name,
      ...(Array.isArray(body.options) ? { options: body.options as never } : {}),
    };
  }
  if (kind === 'autocomplete') {
    if (typeof body.name !== 'string') throw new RangeError('"name" (the command name) is required');
    if (!Array.isArray(body.options)) throw new RangeError('"options" with one focused option is required');
    return { type: 'autocomplete', name: body.name, options: body.options };
  }
  if (kind === 'component' || kind === 'modal') {
    if (typeof body.custom_id !== 'string') throw new RangeError('"custom_id" is required');
    if (kind === 'component')
      return {
        type: 'component',
        customId: body.custom_id,
        ...(Array.isArray(body.values) ? { values: body.values as string[] } : {}),
      };
    return {
      type: 'modal',
      customId: body.custom_id,
      ...(typeof body.fields === 'object' && body.fields ? { fields: body.fields as Record<string, string> } : {}),
    };
  }
  throw new RangeError('"type" must be ping, command, autocomplete, component or modal');
}

/** Returns false when the path is not an interaction control route. */
export function createInteractionControl(deps: InteractionsDeps, target: WebhookTarget) {
  return async (req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean> => {
    const route = `${req.method} ${path}`;
    if (
      route !== 'POST /interactions' &&
      route !== 'GET /interactions' &&
      route !== 'GET /commands' &&
      route !== 'POST /webhook-target'
    )
      return false;
    try {
      if (route === 'GET /interactions') return (sendJson(res, 200, deps.store.records), true);
      if (route === 'GET /commands')
        return (
          sendJson(res, 200, {
            global: deps.store.globalCommands,
            guilds: Object.fromEntries(deps.store.guildCommands),
          }),
          true
        );
      const body = ((await readJson(req)) ?? {}) as Body;
      if (route === 'POST /webhook-target') {
        if (typeof body.url !== 'string') throw new RangeError('"url" (the Worker base URL) is required');
        target.set(body.url);
        return (sendJson(res, 200, { ok: true, url: target.url }), true);
      }
      const place: InteractionPlace = {
        ...(typeof body.channel_id === 'string' ? { channelId: body.channel_id } : {}),
        ...(typeof body.user_id === 'string' ? { userId: body.user_id } : {}),
      };
      const record = await sendInteraction(deps, inputFrom(body), place);
      sendJson(res, 200, record);
    } catch (err) {
      if (err instanceof BodyError) sendJson(res, err.status, { error: err.message });
      else if (err instanceof NoTargetError) sendJson(res, 409, { error: err.message });
      else if (err instanceof DeliveryError) sendJson(res, 502, { error: err.message });
      else if (err instanceof RangeError || err instanceof TypeError) sendJson(res, 400, { error: err.message });
      else throw err;
    }
    return true;
  };
}
