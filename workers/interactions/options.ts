// Typed command options. From a command definition declared `as const`, the handler's `options` object is
// typed: each option's value type from its `type` (Discord docs, Application Commands > Application Command
// Option Type), choices as a union of their values, required options present and the others optional.
// Subcommands and groups name the handlers they route to. At run time `readOptions` builds the same object
// from the interaction, with users, channels, roles and attachments taken from `data.resolved`.
import type {
  APIApplicationCommandInteractionDataOption,
  APIAttachment,
  APIInteractionDataResolved,
  APIInteractionDataResolvedChannel,
  APIInteractionDataResolvedGuildMember,
  APIRole,
  APIUser,
  ApplicationCommandOptionType as T,
} from 'discord-api-types/v10';
import { OPTION } from './constants.ts';

/** The part of an option definition the types read. */
export interface OptionShape {
  readonly name: string;
  readonly type: number;
  readonly required?: boolean;
  readonly autocomplete?: boolean;
  readonly choices?: readonly { readonly value: string | number }[];
  readonly options?: readonly OptionShape[];
}

/** A user option's value: the user, and their guild member when the command ran in a guild. */
export interface ResolvedUser {
  user: APIUser;
  member?: APIInteractionDataResolvedGuildMember;
}
/** A mentionable option's value: a user or a role. */
export type ResolvedMentionable = ({ kind: 'user' } & ResolvedUser) | { kind: 'role'; role: APIRole };

type Choice<O, Base> = O extends { readonly choices: readonly (infer C)[] }
  ? C extends { readonly value: infer V }
    ? V
    : Base
  : Base;

/** The value type of one option. */
export type OptionValue<O> = O extends { readonly type: T.String }
  ? Choice<O, string>
  : O extends { readonly type: T.Integer | T.Number }
    ? Choice<O, number>
    : O extends { readonly type: T.Boolean }
      ? boolean
      : O extends { readonly type: T.User }
        ? ResolvedUser
        : O extends { readonly type: T.Channel }
          ? APIInteractionDataResolvedChannel
          : O extends { readonly type: T.Role }
            ? APIRole
            : O extends { readonly type: T.Mentionable }
              ? ResolvedMentionable
              : O extends { readonly type: T.Attachment }
                ? APIAttachment
                : never;

type Simplify<X> = { [K in keyof X]: X[K] } & {};
type Items<L> = L extends readonly (infer O)[] ? O : never;
type NameOf<O> = O extends { readonly name: infer N extends string } ? N : never;

/** The `options` object of a handler: required options present, the others optional. */
export type OptionsOf<L> = Simplify<
  { [O in Items<L> as O extends { readonly required: true } ? NameOf<O> : never]: OptionValue<O> } & {
    [O in Items<L> as O extends { readonly required: true } ? never : NameOf<O>]?: OptionValue<O>;
  }
>;

type SubcommandsIn<L> = Extract<Items<L>, { readonly type: T.Subcommand }>;
type GroupsIn<L> = Extract<Items<L>, { readonly type: T.SubcommandGroup }>;

/** Whether a command's options are subcommands (or groups) rather than values. */
export type HasSubcommands<C> = C extends { readonly options: infer L }
  ? [SubcommandsIn<L> | GroupsIn<L>] extends [never]
    ? false
    : true
  : false;

/** Names of the options marked `autocomplete: true`, at any depth. */
export type AutocompleteName<L> =
  | NameOf<Extract<Items<L>, { readonly autocomplete: true }>>
  | (Items<L> extends infer O ? (O extends { readonly options: infer M } ? AutocompleteName<M> : never) : never);

/** What an autocomplete handler gets: the option being typed in, and what the user typed so far. */
export interface FocusedOption<Name extends string = string> {
  name: Name;
  /** The partial input (Discord sends it as typed: a string even for number options). */
  value: string;
  type: number;
}

type DataOption = APIApplicationCommandInteractionDataOption;

/** The subcommand path of an interaction (`['add']`, `['roles', 'add']`) and the options under it. */
export function subcommandPath(options: readonly DataOption[] | undefined): { path: string[]; options: DataOption[] } {
  const first = options?.[0];
  if (first?.type === OPTION.SubcommandGroup) {
    const sub = first.options?.[0];
    return { path: sub ? [first.name, sub.name] : [first.name], options: sub?.options ?? [] };
  }
  if (first?.type === OPTION.Subcommand) return { path: [first.name], options: first.options ?? [] };
  return { path: [], options: [...(options ?? [])] };
}

/** The focused option of an autocomplete interaction, at any depth. */
export function focusedOption(options: readonly DataOption[] | undefined): FocusedOption | undefined {
  for (const option of subcommandPath(options).options) {
    if ('focused' in option && option.focused)
      return { name: option.name, value: String(option.value), type: option.type };
  }
  return undefined;
}

/** The options object for a handler, values resolved from `data.resolved`. */
export function readOptions(
  options: readonly DataOption[],
  resolved: APIInteractionDataResolved | undefined,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const option of options) {
    if (!('value' in option)) continue;
    const id = String(option.value);
    switch (option.type) {
      case OPTION.User: {
        const user = resolved?.users?.[id];
        const member = resolved?.members?.[id];
        out[option.name] = user ? { user, ...(member ? { member } : {}) } : undefined;
        break;
      }
      case OPTION.Channel:
        out[option.name] = resolved?.channels?.[id];
        break;
      case OPTION.Role:
        out[option.name] = resolved?.roles?.[id];
        break;
      case OPTION.Attachment:
        out[option.name] = resolved?.attachments?.[id];
        break;
      case OPTION.Mentionable: {
        const user = resolved?.users?.[id];
        const role = resolved?.roles?.[id];
        const member = resolved?.members?.[id];
        out[option.name] = user
          ? { kind: 'user', user, ...(member ? { member } : {}) }
          : role
            ? { kind: 'role', role }
            : undefined;
        break;
      }
      default:
        out[option.name] = option.value;
    }
  }
  return out;
}
