// Discord's interaction enums as plain values. discord-api-types ships them as CommonJS enums, which the
// Workers runtime's module loader cannot always read (its named exports come out undefined), so the Worker
// imports only their types and keeps the few numbers it needs here, typed as the enum members they are.
import type {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  ButtonStyle,
  ComponentType,
  TextInputStyle,
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

/** Discord docs, Application Commands > Application Command Option Type. */
export const OPTION = {
  Subcommand: 1 as ApplicationCommandOptionType.Subcommand,
  SubcommandGroup: 2 as ApplicationCommandOptionType.SubcommandGroup,
  String: 3 as ApplicationCommandOptionType.String,
  Integer: 4 as ApplicationCommandOptionType.Integer,
  Boolean: 5 as ApplicationCommandOptionType.Boolean,
  User: 6 as ApplicationCommandOptionType.User,
  Channel: 7 as ApplicationCommandOptionType.Channel,
  Role: 8 as ApplicationCommandOptionType.Role,
  Mentionable: 9 as ApplicationCommandOptionType.Mentionable,
  Number: 10 as ApplicationCommandOptionType.Number,
  Attachment: 11 as ApplicationCommandOptionType.Attachment,
} as const;

/** Discord docs, Message Components > Component Types (the ones the examples use). */
export const COMPONENT = {
  ActionRow: 1 as ComponentType.ActionRow,
  Button: 2 as ComponentType.Button,
  TextInput: 4 as ComponentType.TextInput,
  Label: 18 as ComponentType.Label,
} as const;

/** Discord docs, Message Components > Button Styles. */
export const BUTTON_STYLE = {
  Primary: 1 as ButtonStyle.Primary,
  Secondary: 2 as ButtonStyle.Secondary,
  Success: 3 as ButtonStyle.Success,
  Danger: 4 as ButtonStyle.Danger,
} as const;

export const TEXT_INPUT_STYLE = { Short: 1 as TextInputStyle.Short, Paragraph: 2 as TextInputStyle.Paragraph } as const;
