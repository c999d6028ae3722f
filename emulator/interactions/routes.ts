// REST rows for interactions (Discord docs, Interactions > Receiving and Responding; Application Commands):
// the callback route, the interaction webhook (follow-ups, @original), application commands global and
// per guild, and GET /applications/@me. Mounted before the base route table in server.ts: for an
// interaction this emulator sent, these rows record what the bot did with it; anything else (a channel
// webhook, an unknown interaction) falls through to the base row of the same route (rest/webhooks.ts).
import type { APIApplicationCommand, APIMessage } from 'discord-api-types/v10';
import type { EmulatorCore } from '../core.ts';
import type { RestResult, RouteDef } from '../rest/routes.ts';
import { attachmentsOf } from '../rest/messages.ts';
import { applyResponse, interactionMessage, type InteractionsDeps } from './send.ts';

const GENEROUS = { limit: 100, windowMs: 1000 };
// Interaction endpoints are not bound to the global rate limit (Discord docs, Receiving and Responding).
const WEBHOOK = { limit: 30, windowMs: 1000, major: 'webhook_id' as const, global: false };
const error = (status: number, code: number, message: string, extra: Record<string, unknown> = {}): RestResult => ({
  status,
  body: { message, code, ...extra },
});
const unknownWebhook = () => error(404, 10015, 'Unknown Webhook');

// Discord docs, Application Commands > Application Command Naming: 1-32 characters, lower case for slash commands.
const CHAT_INPUT_NAME = /^[-_\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u;

function validateCommand(input: unknown, index: number): string | undefined {
  const c = input as { name?: unknown; description?: unknown; type?: unknown } | null;
  const type = c?.type ?? 1;
  if (typeof c?.name !== 'string') return `${index}.name: required string`;
  if (type === 1) {
    if (!CHAT_INPUT_NAME.test(c.name) || c.name !== c.name.toLowerCase())
      return `${index}.name: must be 1-32 lower-case letters, digits, - or _`;
    if (typeof c.description !== 'string' || c.description.length < 1 || c.description.length > 100)
      return `${index}.description: must be 1-100 characters`;
  } else if (c.name.length < 1 || c.name.length > 32) return `${index}.name: must be 1-32 characters`;
  return undefined;
}

function toCommand(core: EmulatorCore, input: Record<string, unknown>, guildId?: string): APIApplicationCommand {
  return {
    id: core.ids.next(),
    application_id: core.index.world.application.id,
    version: core.ids.next(),
    type: 1,
    description: '',
    default_member_permissions: null,
    ...input,
    ...(guildId ? { guild_id: guildId } : {}),
  } as APIApplicationCommand;
}

export function interactionRoutes(deps: InteractionsDeps, fallback: readonly RouteDef[]): RouteDef[] {
  const { store } = deps;
  /** The base row for the same method and path, for requests that are not about our interactions. */
  const passOn = (method: RouteDef['method'], path: string): RouteDef['handle'] => {
    const row = fallback.find((r) => r.method === method && r.path === path);
    return row ? row.handle : () => unknownWebhook();
  };
  const appMatches = (core: EmulatorCore, id: string | undefined) => id === core.index.world.application.id;
  const overwrite =
    (list: APIApplicationCommand[], guildId?: string): RouteDef['handle'] =>
    async ({ core, params, body }) => {
      if (!appMatches(core, params.application_id)) return error(404, 10002, 'Unknown Application');
      const input = await body();
      if (!Array.isArray(input))
        return error(400, 50035, 'Invalid Form Body', {
          errors: { _errors: [{ code: 'BASE_TYPE_ARRAY', message: 'Must be an array' }] },
        });
      if (input.length > 100) return error(400, 30032, 'Maximum number of application commands reached (100)');
      for (let i = 0; i < input.length; i++) {
        const problem = validateCommand(input[i], i);
        if (problem)
          return error(400, 50035, 'Invalid Form Body', {
            errors: { _errors: [{ code: 'INVALID', message: problem }] },
          });
      }
      const commands = input.map((c) => toCommand(core, c as Record<string, unknown>, params.guild_id));
      list.splice(0, list.length, ...commands);
      return { status: 200, body: commands };
    };
  /**
   * One command at a time (Discord docs, Application Commands > Create / Edit / Delete Global and Guild
   * Application Command). Creating a command whose name and type exist replaces it (200, else 201).
   */
  const single = (scope: 'global' | 'guild'): RouteDef[] => {
    const base =
      scope === 'global' ? '/applications/:application_id' : '/applications/:application_id/guilds/:guild_id';
    const listOf = (core: EmulatorCore, params: Record<string, string>): APIApplicationCommand[] | RestResult => {
      if (!appMatches(core, params.application_id)) return error(404, 10002, 'Unknown Application');
      if (scope === 'global') return store.globalCommands;
      if (!core.index.world.guilds.some((g) => g.id === params.guild_id)) return error(404, 10004, 'Unknown Guild');
      return guildList(params.guild_id ?? '');
    };
    const invalid = (problem: string) =>
      error(400, 50035, 'Invalid Form Body', { errors: { _errors: [{ code: 'INVALID', message: problem }] } });
    return [
      {
        method: 'POST',
        path: `${base}/commands`,
        bucket: () => GENEROUS,
        handle: async ({ core, params, body }) => {
          const list = listOf(core, params);
          if (!Array.isArray(list)) return list;
          const input = (await body()) as Record<string, unknown> | undefined;
          const problem = validateCommand(input, 0);
          if (problem) return invalid(problem);
          const type = (input?.type as number | undefined) ?? 1;
          const at = list.findIndex((c) => c.name === input!.name && c.type === type);
          if (at < 0 && list.length >= 100)
            return error(400, 30032, 'Maximum number of application commands reached (100)');
          const command = toCommand(core, input!, params.guild_id);
          if (at >= 0) {
            list[at] = { ...command, id: list[at]!.id };
            return { status: 200, body: list[at] };
          }
          list.push(command);
          return { status: 201, body: command };
        },
      },
      {
        method: 'GET',
        path: `${base}/commands/:command_id`,
        bucket: () => GENEROUS,
        handle: ({ core, params }) => {
          const list = listOf(core, params);
          if (!Array.isArray(list)) return list;
          const found = list.find((c) => c.id === params.command_id);
          return found ? { status: 200, body: found } : error(404, 10063, 'Unknown application command');
        },
      },
      {
        method: 'PATCH',
        path: `${base}/commands/:command_id`,
        bucket: () => GENEROUS,
        handle: async ({ core, params, body }) => {
          const list = listOf(core, params);
          if (!Array.isArray(list)) return list;
          const at = list.findIndex((c) => c.id === params.command_id);
          if (at < 0) return error(404, 10063, 'Unknown application command');
          const merged = { ...list[at]!, ...((await body()) as Record<string, unknown>) } as APIApplicationCommand;
          const problem = validateCommand(merged, 0);
          if (problem) return invalid(problem);
          list[at] = { ...merged, version: core.ids.next() };
          return { status: 200, body: list[at] };
        },
      },
      {
        method: 'DELETE',
        path: `${base}/commands/:command_id`,
        bucket: () => GENEROUS,
        handle: ({ core, params }) => {
          const list = listOf(core, params);
          if (!Array.isArray(list)) return list;
          const at = list.findIndex((c) => c.id === params.command_id);
          if (at < 0) return error(404, 10063, 'Unknown application command');
          list.splice(at, 1);
          return { status: 204, body: null };
        },
      },
    ];
  };
  const guildList = (guildId: string) => {
    let list = store.guildCommands.get(guildId);
    if (!list) store.guildCommands.set(guildId, (list = []));
    return list;
  };

  return [
    ...single('global'),
    ...single('guild'),
    {
      method: 'GET',
      path: '/applications/@me',
      bucket: () => GENEROUS,
      handle: ({ core }) => ({
        status: 200,
        body: {
          ...core.index.world.application,
          bot: { id: core.index.world.bot.id },
          verify_key: deps.key.publicKeyHex,
        },
      }),
    },
    {
      method: 'GET',
      path: '/applications/:application_id/commands',
      bucket: () => GENEROUS,
      handle: () => ({ status: 200, body: store.globalCommands }),
    },
    {
      method: 'PUT',
      path: '/applications/:application_id/commands',
      bucket: () => GENEROUS,
      handle: (ctx) => overwrite(store.globalCommands)(ctx),
    },
    {
      method: 'GET',
      path: '/applications/:application_id/guilds/:guild_id/commands',
      bucket: () => GENEROUS,
      handle: ({ params }) => ({ status: 200, body: store.guildCommands.get(params.guild_id ?? '') ?? [] }),
    },
    {
      method: 'PUT',
      path: '/applications/:application_id/guilds/:guild_id/commands',
      bucket: () => GENEROUS,
      handle: async (ctx) => {
        const guildId = ctx.params.guild_id ?? '';
        if (!ctx.core.index.world.guilds.some((g) => g.id === guildId)) return error(404, 10004, 'Unknown Guild');
        return overwrite(guildList(guildId), guildId)(ctx);
      },
    },
    {
      // Discord docs, Create Interaction Response: for bots answering through REST (gateway interactions).
      method: 'POST',
      path: '/interactions/:interaction_id/:interaction_token/callback',
      auth: false,
      // Keyed per interaction, like Discord; not bound to the global limit.
      bucket: () => ({ ...GENEROUS, major: 'interaction_id', global: false }),
      handle: async (ctx) => {
        const { params, body } = ctx;
        const record = store.byId(params.interaction_id ?? '');
        if (!record || record.token !== params.interaction_token)
          return passOn('POST', '/interactions/:interaction_id/:interaction_token/callback')(ctx);
        ctx.state.interactionCallbacks++;
        if (record.callback !== undefined || record.status === 200)
          return error(400, 40060, 'Interaction has already been acknowledged.');
        record.callback = await body();
        applyResponse(deps, record, record.callback);
        return { status: 204, body: null };
      },
    },
    {
      // Discord docs, Create Followup Message.
      method: 'POST',
      path: '/webhooks/:webhook_id/:webhook_token',
      auth: false,
      bucket: () => WEBHOOK,
      handle: async (ctx) => {
        const { params, body } = ctx;
        const record = store.byToken(params.webhook_token ?? '');
        if (!record || !appMatches(deps.core, params.webhook_id))
          return passOn('POST', '/webhooks/:webhook_id/:webhook_token')(ctx);
        const input = ((await body()) ?? {}) as { content?: string; flags?: number; attachments?: unknown };
        const attachments = attachmentsOf(deps.core, await ctx.files(), input.attachments);
        if (!input.content && attachments.length === 0) return error(400, 50006, 'Cannot send an empty message');
        const message = interactionMessage(deps, record, { ...input, attachments });
        record.followUps.push(message);
        return { status: 200, body: message };
      },
    },
    {
      method: 'GET',
      path: '/webhooks/:webhook_id/:webhook_token/messages/:message_id',
      auth: false,
      bucket: () => WEBHOOK,
      handle: ({ params }) => {
        const record = store.byToken(params.webhook_token ?? '');
        const message = record && store.message(record, params.message_id ?? '');
        return message && !record.deleted ? { status: 200, body: message } : error(404, 10008, 'Unknown Message');
      },
    },
    {
      // Discord docs, Edit Original Interaction Response / Edit Followup Message. The first edit of a
      // deferred reply is what makes its message appear.
      method: 'PATCH',
      path: '/webhooks/:webhook_id/:webhook_token/messages/:message_id',
      auth: false,
      bucket: () => WEBHOOK,
      handle: async (ctx) => {
        const { params, body } = ctx;
        const record = store.byToken(params.webhook_token ?? '');
        if (!record || !appMatches(deps.core, params.webhook_id))
          return passOn('PATCH', '/webhooks/:webhook_id/:webhook_token/messages/:message_id')(ctx);
        const input = ((await body()) ?? {}) as { content?: string; attachments?: unknown };
        const attachments = attachmentsOf(deps.core, await ctx.files(), input.attachments);
        const existing = store.message(record, params.message_id ?? '');
        if (params.message_id === '@original' && !existing) {
          record.original = interactionMessage(deps, record, { ...input, attachments });
          record.edits++;
          return { status: 200, body: record.original };
        }
        if (!existing) return error(404, 10008, 'Unknown Message');
        const edited: APIMessage = {
          ...existing,
          ...(typeof input.content === 'string' ? { content: input.content } : {}),
          ...(attachments.length > 0 ? { attachments: [...existing.attachments, ...attachments] } : {}),
          edited_timestamp: new Date().toISOString(),
        };
        if (existing === record.original) record.original = edited;
        else record.followUps[record.followUps.indexOf(existing)] = edited;
        record.edits++;
        return { status: 200, body: edited };
      },
    },
    {
      method: 'DELETE',
      path: '/webhooks/:webhook_id/:webhook_token/messages/:message_id',
      auth: false,
      bucket: () => WEBHOOK,
      handle: (ctx) => {
        const { params } = ctx;
        const record = store.byToken(params.webhook_token ?? '');
        if (!record) return passOn('DELETE', '/webhooks/:webhook_id/:webhook_token/messages/:message_id')(ctx);
        if (!store.message(record, params.message_id ?? '')) return error(404, 10008, 'Unknown Message');
        if (params.message_id === '@original') record.deleted = true;
        return { status: 204, body: null };
      },
    },
  ];
}
