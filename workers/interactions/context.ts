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
import type { AutocompleteContext, ComponentContext, ReplyData } from './types.ts';

function callbackData(data: ReplyData, ephemeral = false): APIInteractionResponseCallbackData {
  const body = typeof data === 'string' ? { content: data } : data;
  return ephemeral ? { ...body, flags: (body.flags ?? 0) | EPHEMERAL } : body;
}

const asBody = <T extends object>(data: string | T): T | { content: string } =>
  typeof data === 'string' ? { content: data } : data;

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
): ComponentContext<I> {
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

  const ctx: ComponentContext<I> = {
    ...baseFields(base),
    get qq() {
      return base.qq;
    },
    interaction,
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
    followUp: (data) => base.rest.request<APIMessage>('POST', webhook, asBody(data)),
    editReply: (data) => base.rest.request<APIMessage>('PATCH', `${webhook}/messages/@original`, asBody(data)),
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
    choices: (choices) => ({ type: RESPONSE_TYPE.ApplicationCommandAutocompleteResult, data: { choices } }),
  };
}
