// Types of interaction handlers: a command definition decides the interaction type its handler receives
// (chat input, user or message context menu), and component and modal handlers get theirs.
import type {
  APIChatInputApplicationCommandInteraction,
  APIInteraction,
  APIInteractionResponse,
  APIInteractionResponseCallbackData,
  APIInteractionResponseChannelMessageWithSource,
  APIInteractionResponseDeferredChannelMessageWithSource,
  APIInteractionResponseDeferredMessageUpdate,
  APIInteractionResponseUpdateMessage,
  APIMessage,
  APIMessageApplicationCommandInteraction,
  APIMessageComponentInteraction,
  APIModalInteractionResponse,
  APIModalInteractionResponseCallbackData,
  APIModalSubmitInteraction,
  APIApplicationCommandAutocompleteInteraction,
  APICommandAutocompleteInteractionResponseCallbackData,
  APIApplicationCommandAutocompleteResponse,
  APIUserApplicationCommandInteraction,
  ApplicationCommandType,
  RESTPatchAPIWebhookWithTokenMessageJSONBody,
  RESTPostAPIChatInputApplicationCommandsJSONBody,
  RESTPostAPIContextMenuApplicationCommandsJSONBody,
  RESTPostAPIWebhookWithTokenJSONBody,
} from 'discord-api-types/v10';
import type { HandlerContext } from '../dispatch/context.ts';
import type { RawFile } from '../rest/client.ts';
import type { FocusedOption } from './options.ts';

/** What `npm run register` publishes: a slash command or a context-menu command. */
export type CommandDefinition =
  RESTPostAPIChatInputApplicationCommandsJSONBody | RESTPostAPIContextMenuApplicationCommandsJSONBody;

/** The interaction a command's handler receives, from the command's `type` (absent = chat input). */
export type InteractionFor<C extends CommandDefinition> = C extends { type: ApplicationCommandType.User }
  ? APIUserApplicationCommandInteraction
  : C extends { type: ApplicationCommandType.Message }
    ? APIMessageApplicationCommandInteraction
    : APIChatInputApplicationCommandInteraction;

export type ReplyData = string | APIInteractionResponseCallbackData;

/** Files to upload with a follow-up or an edit (Discord docs, Reference > Uploading Files). */
export interface WithFiles {
  files?: RawFile[];
}

/**
 * Helpers every interaction handler has. Responses are returned; REST helpers go through the REST proxy.
 * `options` holds a slash command's options, typed from its definition (workers/interactions/options.ts).
 */
export interface InteractionContext<I extends APIInteraction = APIInteraction, O = {}> extends HandlerContext {
  interaction: I;
  options: O;
  /** An immediate message reply (response type 4). */
  reply(data: ReplyData, opts?: { ephemeral?: boolean }): APIInteractionResponseChannelMessageWithSource;
  /**
   * A deferred reply (type 5, "thinking…"): Discord waits up to 15 minutes for `editReply`. `work` runs
   * after the response is sent (waitUntil); its failure is logged with the event id and shown as an edit.
   */
  defer(
    work?: () => Promise<unknown>,
    opts?: { ephemeral?: boolean },
  ): APIInteractionResponseDeferredChannelMessageWithSource;
  /** A modal form (type 9). */
  showModal(data: APIModalInteractionResponseCallbackData): APIModalInteractionResponse;
  /** POST /webhooks/{application_id}/{token}: another message after the first response. */
  followUp(data: string | (RESTPostAPIWebhookWithTokenJSONBody & WithFiles)): Promise<APIMessage>;
  /** PATCH /webhooks/{application_id}/{token}/messages/@original. */
  editReply(data: string | (RESTPatchAPIWebhookWithTokenMessageJSONBody & WithFiles)): Promise<APIMessage>;
  /** DELETE /webhooks/{application_id}/{token}/messages/@original. */
  deleteReply(): Promise<void>;
}

/**
 * Component and modal interactions can also change the message they came from. `args` are the typed
 * arguments of the handler's custom_id pattern (workers/interactions/custom-id.ts).
 */
export interface ComponentContext<I extends APIInteraction = APIInteraction, A = {}> extends InteractionContext<I> {
  args: A;
  /** Edits the message the component is on (type 7). */
  update(data: ReplyData): APIInteractionResponseUpdateMessage;
  /** Acknowledges now, edits later with `editReply` (type 6). */
  deferUpdate(work?: () => Promise<unknown>): APIInteractionResponseDeferredMessageUpdate;
}

export interface AutocompleteContext<N extends string = string> extends HandlerContext {
  interaction: APIApplicationCommandAutocompleteInteraction;
  /** The option the user is typing in (Discord marks it `focused`), and what they typed so far. */
  focused: FocusedOption<N>;
  choices(
    choices: NonNullable<APICommandAutocompleteInteractionResponseCallbackData['choices']>,
  ): APIApplicationCommandAutocompleteResponse;
}

type Awaitable<T> = T | Promise<T>;
export type InteractionHandler<I extends APIInteraction, Ctx> = (
  interaction: I,
  ctx: Ctx,
) => Awaitable<APIInteractionResponse>;

export type InteractionHandlerDefinition =
  | {
      kind: 'command';
      command: CommandDefinition;
      handle: InteractionHandler<never, never>;
      autocomplete?: InteractionHandler<never, never>;
    }
  | { kind: 'component'; customId: string; handle: InteractionHandler<never, never> }
  | { kind: 'modal'; customId: string; handle: InteractionHandler<never, never> };

export type {
  APIChatInputApplicationCommandInteraction,
  APIMessageComponentInteraction,
  APIModalSubmitInteraction,
  APIUserApplicationCommandInteraction,
  APIMessageApplicationCommandInteraction,
};
