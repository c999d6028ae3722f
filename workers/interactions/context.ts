// Builds the context of one interaction: the handler context plus the response helpers (Discord docs,
// Interactions > Receiving and Responding > Responding to an Interaction, Followup Messages).
import type {
  APIApplicationCommandAutocompleteInteraction,
  APIInteraction,
  APIInteractionResponseCallbackData,
  APIMessage,
} from 'discord-api-types/v10';
import type { HandlerContext } from '../dispatch/context.ts';
import { EPHEMERAL, RESPONSE_TYPE } from './constants.ts';
import { focusedOption } from './options.ts';
import type { AutocompleteContext, ComponentContext, ReplyData, WithFiles } from './types.ts';

function callbackData(data: ReplyData, ephemeral = false): APIInteractionResponseCallbackData {
  const body = typeof data === 'string' ? { content: data } : data;
  return ephemeral ? { ...body, flags: (body.flags ?? 0) | EPHEMERAL } : body;
}

/** A follow-up or edit as the REST client takes it: files apart from the JSON body. */
function webhookCall<T extends WithFiles>(data: string | T): { body: unknown; files?: WithFiles['files'] } {
  if (typeof data === 'string') return { body: { content: data } };
  const { files, ...body } = data;
  return files?.length ? { body, files } : { body };
}

/** The base context's plain fields; `qq` is a lazy getter, which a spread would call (and fail without QQ settings). */
function baseFields(base: HandlerContext): Omit<HandlerContext, 'qq'> {
  return {
    env: base.env,
    event: base.event,
    log: base.log,
    waitUntil: base.waitUntil,
    api: base.api,
    rest: base.rest,
    gateway: base.gateway,
  };
}

/** One context type serves commands, components and modals; handlers see the narrower interface. */
export function createInteractionContext<I extends APIInteraction>(
  base: HandlerContext,
  interaction: I,
  extras: { options?: Record<string, unknown>; args?: Record<string, unknown> } = {},
): ComponentContext<I, Record<string, unknown>> & { options: Record<string, unknown> } {
  const webhook = `/webhooks/${interaction.application_id}/${interaction.token}`;

  const runLater = (work: () => Promise<unknown>) => {
    base.waitUntil(
      work().catch(async (err: unknown) => {
        base.log.error('deferred interaction work failed', { error: err instanceof Error ? err.name : typeof err });
        // Replace "thinking…" so the user is not left waiting; secrets never go in this message.
        await ctx.editReply({ content: `Something went wrong (event ${base.event.id}).` }).catch(() => undefined);
      }),
    );
  };

  const ctx: ComponentContext<I, Record<string, unknown>> & { options: Record<string, unknown> } = {
    ...baseFields(base),
    get qq() {
      return base.qq;
    },
    interaction,
    options: extras.options ?? {},
    args: extras.args ?? {},
    reply: (data, opts) => ({
      type: RESPONSE_TYPE.ChannelMessageWithSource,
      data: callbackData(data, opts?.ephemeral),
    }),
    defer: (work, opts) => {
      if (work) runLater(work);
      return {
        type: RESPONSE_TYPE.DeferredChannelMessageWithSource,
        ...(opts?.ephemeral ? { data: { flags: EPHEMERAL } } : {}),
      };
    },
    showModal: (data) => ({ type: RESPONSE_TYPE.Modal, data }),
    update: (data) => ({ type: RESPONSE_TYPE.UpdateMessage, data: callbackData(data) }),
    deferUpdate: (work) => {
      if (work) runLater(work);
      return { type: RESPONSE_TYPE.DeferredMessageUpdate };
    },
    followUp: async (data) => (await base.rest.send('POST', webhook, webhookCall(data))) as APIMessage,
    editReply: async (data) =>
      (await base.rest.send('PATCH', `${webhook}/messages/@original`, webhookCall(data))) as APIMessage,
    deleteReply: () => base.rest.request<void>('DELETE', `${webhook}/messages/@original`),
  };
  return ctx;
}

export function createAutocompleteContext(
  base: HandlerContext,
  interaction: APIApplicationCommandAutocompleteInteraction,
): AutocompleteContext {
  return {
    ...baseFields(base),
    get qq() {
      return base.qq;
    },
    interaction,
    focused: focusedOption(interaction.data.options) ?? { name: '', value: '', type: 0 },
    choices: (choices) => ({ type: RESPONSE_TYPE.ApplicationCommandAutocompleteResult, data: { choices } }),
  };
}
