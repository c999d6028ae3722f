// Interaction callbacks and webhooks: authorised by the token in the path, not bound to the bot's global
// limit (Discord docs, Interactions > Receiving and Responding: "Interaction endpoints are not bound to the
// bot's Global Rate Limit"). A webhook exists once created through POST /channels/:id/webhooks; interaction
// webhooks use the application id and are always accepted. Unknown webhooks answer 404 (10015), a wrong
// token 401 (50027), as Discord does.
import { InteractionResponseType } from 'discord-api-types/v10';
import type { EmulatorCore } from '../core.ts';
import { publishMessage } from '../publish.ts';
import { attachmentsOf } from './messages.ts';
import { error, GENEROUS, NO_CONTENT, type RestResult, type RestState, type RouteDef } from './route-types.ts';

const WEBHOOK_LIMIT = { limit: 5, windowMs: 2000, major: 'webhook_id' as const, global: false };

function resolveWebhook(
  core: EmulatorCore,
  state: RestState,
  id: string,
  token: string,
): RestResult | { channelId: string } | 'interaction' {
  if (id === core.index.world.application.id) return 'interaction';
  const hook = state.webhooks.get(id);
  if (!hook) return error(404, 10015, 'Unknown Webhook');
  if (hook.token !== token) return error(401, 50027, 'Invalid Webhook Token');
  return { channelId: hook.channelId };
}

export const WEBHOOK_ROUTES: RouteDef[] = [
  {
    // Discord docs, Interactions > Receiving and Responding > Create Interaction Response.
    method: 'POST',
    path: '/interactions/:interaction_id/:interaction_token/callback',
    auth: false,
    bucket: () => ({ ...GENEROUS, major: 'interaction_id', global: false }),
    handle: async ({ state, body }) => {
      const input = (await body()) as { type?: unknown } | undefined;
      const types = Object.values(InteractionResponseType).filter((v) => typeof v === 'number');
      if (typeof input?.type !== 'number' || !types.includes(input.type)) {
        return error(400, 50035, 'Invalid Form Body', {
          errors: {
            type: {
              _errors: [{ code: 'BASE_TYPE_CHOICES', message: 'Value must be one of the interaction callback types.' }],
            },
          },
        });
      }
      state.interactionCallbacks++;
      return NO_CONTENT;
    },
  },
  {
    // Discord docs, Resources > Webhook > Create Webhook.
    method: 'POST',
    path: '/channels/:channel_id/webhooks',
    bucket: () => ({ limit: 15, windowMs: 60_000, major: 'channel_id' }),
    handle: async ({ core, state, params, body }) => {
      const found = core.index.channel(params.channel_id ?? '');
      if (!found) return error(404, 10003, 'Unknown Channel');
      const input = (await body()) as { name?: unknown } | undefined;
      const id = core.ids.next();
      const token = `wh-${id}-${Math.random().toString(36).slice(2, 12)}`;
      state.webhooks.set(id, { id, token, channelId: found.channel.id, guildId: found.guild.id });
      return {
        status: 200,
        body: {
          id,
          token,
          type: 1,
          channel_id: found.channel.id,
          guild_id: found.guild.id,
          name: typeof input?.name === 'string' ? input.name : 'webhook',
          application_id: null,
        },
      };
    },
  },
  {
    // Discord docs, Resources > Webhook > Delete Webhook With Token.
    method: 'DELETE',
    path: '/webhooks/:webhook_id/:webhook_token',
    auth: false,
    bucket: () => WEBHOOK_LIMIT,
    handle: ({ core, state, params }) => {
      const hook = resolveWebhook(core, state, params.webhook_id ?? '', params.webhook_token ?? '');
      if (typeof hook === 'object' && 'status' in hook) return hook;
      state.webhooks.delete(params.webhook_id ?? '');
      return NO_CONTENT;
    },
  },
  {
    // Discord docs, Resources > Webhook > Execute Webhook (?wait=true answers with the message).
    method: 'POST',
    path: '/webhooks/:webhook_id/:webhook_token',
    auth: false,
    bucket: () => WEBHOOK_LIMIT,
    handle: async ({ core, state, params, query, body, files }) => {
      const hook = resolveWebhook(core, state, params.webhook_id ?? '', params.webhook_token ?? '');
      if (typeof hook === 'object' && 'status' in hook) return hook;
      const input = (await body()) as { content?: unknown; attachments?: unknown } | undefined;
      const content = typeof input?.content === 'string' ? input.content : '';
      const uploaded = await files();
      if (content === '' && uploaded.length === 0) return error(400, 50006, 'Cannot send an empty message');
      const attachments = attachmentsOf(core, uploaded, input?.attachments);
      if (hook === 'interaction') return { status: 200, body: { id: core.ids.next(), content, type: 0, attachments } };
      const found = core.index.channel(hook.channelId);
      if (!found) return error(404, 10003, 'Unknown Channel');
      const message = publishMessage(core, {
        channel: found.channel,
        guild: found.guild,
        author: core.index.world.bot,
        content,
        ...(attachments.length > 0 ? { attachments } : {}),
      });
      return query.get('wait') === 'true' ? { status: 200, body: message } : NO_CONTENT;
    },
  },
  {
    // Discord docs, Interactions > Receiving and Responding > Edit Original Interaction Response.
    method: 'PATCH',
    path: '/webhooks/:webhook_id/:webhook_token/messages/:message_id',
    auth: false,
    bucket: () => WEBHOOK_LIMIT,
    handle: async ({ core, state, params, body }) => {
      const hook = resolveWebhook(core, state, params.webhook_id ?? '', params.webhook_token ?? '');
      if (typeof hook === 'object' && 'status' in hook) return hook;
      const input = (await body()) as { content?: unknown } | undefined;
      return {
        status: 200,
        body: {
          id: params.message_id === '@original' ? core.ids.next() : params.message_id,
          content: typeof input?.content === 'string' ? input.content : '',
        },
      };
    },
  },
  {
    method: 'DELETE',
    path: '/webhooks/:webhook_id/:webhook_token/messages/:message_id',
    auth: false,
    bucket: () => WEBHOOK_LIMIT,
    handle: ({ core, state, params }) => {
      const hook = resolveWebhook(core, state, params.webhook_id ?? '', params.webhook_token ?? '');
      if (typeof hook === 'object' && 'status' in hook) return hook;
      return NO_CONTENT;
    },
  },
];
