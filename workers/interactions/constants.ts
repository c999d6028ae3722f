// Discord's interaction enums as plain values. discord-api-types ships them as CommonJS enums, which the
// Workers runtime's module loader cannot always read (its named exports come out undefined), so the Worker
// imports only their types and keeps the few numbers it needs here, typed as the enum members they are.
import type {
  ApplicationCommandType,
  InteractionResponseType,
  InteractionType,
  MessageFlags,
} from 'discord-api-types/v10';

export const INTERACTION_TYPE = {
  Ping: 1 as InteractionType.Ping,
  ApplicationCommand: 2 as InteractionType.ApplicationCommand,
  MessageComponent: 3 as InteractionType.MessageComponent,
  ApplicationCommandAutocomplete: 4 as InteractionType.ApplicationCommandAutocomplete,
  ModalSubmit: 5 as InteractionType.ModalSubmit,
} as const;

/** Discord docs, Interactions > Receiving and Responding > Interaction Callback Type. */
export const RESPONSE_TYPE = {
  Pong: 1 as InteractionResponseType.Pong,
  ChannelMessageWithSource: 4 as InteractionResponseType.ChannelMessageWithSource,
  DeferredChannelMessageWithSource: 5 as InteractionResponseType.DeferredChannelMessageWithSource,
  DeferredMessageUpdate: 6 as InteractionResponseType.DeferredMessageUpdate,
  UpdateMessage: 7 as InteractionResponseType.UpdateMessage,
  ApplicationCommandAutocompleteResult: 8 as InteractionResponseType.ApplicationCommandAutocompleteResult,
  Modal: 9 as InteractionResponseType.Modal,
} as const;

export const COMMAND_TYPE_CHAT_INPUT = 1 as ApplicationCommandType.ChatInput;

/** Only the invoking user sees the message. */
export const EPHEMERAL = (1 << 6) as MessageFlags.Ephemeral;
