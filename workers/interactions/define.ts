// Declaring interaction handlers. The command definition is the same object `npm run register` publishes,
// so a handler and its command cannot drift apart: the interaction type, the options object (`ctx.options`),
// the subcommand handlers and the autocomplete option names are all inferred from it. Component and modal
// handlers take a custom_id pattern whose arguments arrive typed in `ctx.args`.
import type {
  APIApplicationCommandAutocompleteResponse,
  APIChatInputApplicationCommandInteraction,
  APIInteractionResponse,
  APIMessageComponentInteraction,
  APIModalSubmitInteraction,
  ApplicationCommandOptionType as T,
  RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord-api-types/v10';
import { EdgeshardError, ERROR_CODES } from '../../protocol/index.ts';
import { customIdPattern, type ArgsOf, type CustomIdPattern } from './custom-id.ts';
import { subcommandPath, type AutocompleteName, type HasSubcommands, type OptionsOf } from './options.ts';
import type {
  AutocompleteContext,
  CommandDefinition,
  ComponentContext,
  InteractionContext,
  InteractionFor,
  InteractionHandler,
  InteractionHandlerDefinition,
} from './types.ts';

type Awaitable<T> = T | Promise<T>;
type OptionList<C> = C extends { readonly options: infer L } ? L : [];

/** `ctx.options` of a command's handler: typed from its options, empty when it has subcommands. */
export type CommandOptions<C> = HasSubcommands<C> extends true ? {} : OptionsOf<OptionList<C>>;

export type AutocompleteHandler<C> = (
  interaction: AutocompleteContext['interaction'],
  ctx: AutocompleteContext<AutocompleteName<OptionList<C>> & string>,
) => Awaitable<APIApplicationCommandAutocompleteResponse>;

/** Handles a slash or context-menu command; `interaction` is typed from `command.type`, `ctx.options` from its options. */
export function onCommand<const C extends CommandDefinition>(
  command: C,
  handle: InteractionHandler<InteractionFor<C>, InteractionContext<InteractionFor<C>, CommandOptions<C>>>,
  options: { autocomplete?: AutocompleteHandler<C> } = {},
): InteractionHandlerDefinition {
  return {
    kind: 'command',
    command,
    handle: handle as InteractionHandler<never, never>,
    ...(options.autocomplete ? { autocomplete: options.autocomplete as InteractionHandler<never, never> } : {}),
  };
}

type ChatInput = APIChatInputApplicationCommandInteraction;
type SubHandler<S> = InteractionHandler<
  ChatInput,
  InteractionContext<ChatInput, OptionsOf<S extends { readonly options: infer L } ? L : []>>
>;
type Items<L> = L extends readonly (infer O)[] ? O : never;
type NameOf<O> = O extends { readonly name: infer N extends string } ? N : never;
type Subs<L> = Extract<Items<L>, { readonly type: T.Subcommand }>;
type Groups<L> = Extract<Items<L>, { readonly type: T.SubcommandGroup }>;

/**
 * One handler per subcommand, and per group an object of handlers for its subcommands; each handler's
 * `ctx.options` is typed from its own subcommand's options.
 */
export type SubcommandHandlers<C> = {
  [S in Subs<OptionList<C>> as NameOf<S>]: SubHandler<S>;
} & {
  [G in Groups<OptionList<C>> as NameOf<G>]: { [S in Subs<OptionList<G>> as NameOf<S>]: SubHandler<S> };
};

type AnyHandler = (interaction: unknown, ctx: unknown) => Awaitable<APIInteractionResponse>;

/** Lists the subcommand paths a command defines, e.g. ['add', 'roles add']. */
function definedPaths(command: RESTPostAPIChatInputApplicationCommandsJSONBody): string[] {
  return (command.options ?? []).flatMap((o) =>
    o.type === 2 ? (o.options ?? []).map((s) => `${o.name} ${s.name}`) : o.type === 1 ? [o.name] : [],
  );
}

/** Handles a slash command with subcommands (and groups): each subcommand routes to its own handler. */
export function onSubcommands<const C extends RESTPostAPIChatInputApplicationCommandsJSONBody>(
  command: C,
  handlers: NoInfer<SubcommandHandlers<C>>,
  options: { autocomplete?: NoInfer<AutocompleteHandler<C>> } = {},
): InteractionHandlerDefinition {
  const table = handlers as unknown as Record<string, AnyHandler | Record<string, AnyHandler>>;
  const find = (path: string[]): AnyHandler | undefined => {
    const first = table[path[0] ?? ''];
    if (path.length === 1) return typeof first === 'function' ? first : undefined;
    return typeof first === 'object' ? first[path[1] ?? ''] : undefined;
  };
  for (const path of definedPaths(command)) {
    if (!find(path.split(' ')))
      throw new EdgeshardError(ERROR_CODES.CONFIG_INVALID, `/${command.name} ${path} has no handler in onSubcommands`);
  }
  const route: AnyHandler = (interaction, ctx) => {
    const { path } = subcommandPath((interaction as ChatInput).data.options);
    const handler = find(path);
    if (!handler)
      throw new EdgeshardError(
        ERROR_CODES.MALFORMED_PAYLOAD,
        `/${command.name} ${path.join(' ')} is not a subcommand of this definition: run npm run register`,
      );
    return handler(interaction, ctx);
  };
  return onCommand(command as CommandDefinition, route as never, options as never);
}

/** A component or modal handler's definition, with the pattern's custom_id builder. */
export type PatternHandlerDefinition<P extends string> = InteractionHandlerDefinition & {
  /** The custom_id for these arguments, e.g. `vote.id({ choice: 'yes', n: 3 })` → `vote:yes:3`. */
  id: CustomIdPattern<P>['id'];
};

/**
 * Handles buttons and select menus whose custom_id fits `pattern`: `vote` (also `vote:anything`), or
 * `vote:{choice}:{n:int}`, whose arguments arrive typed in `ctx.args`.
 */
export function onComponent<const P extends string>(
  pattern: P,
  handle: InteractionHandler<
    APIMessageComponentInteraction,
    ComponentContext<APIMessageComponentInteraction, ArgsOf<P>>
  >,
): PatternHandlerDefinition<P> {
  const parsed = customIdPattern(pattern);
  return {
    kind: 'component',
    customId: pattern,
    handle: handle as InteractionHandler<never, never>,
    id: parsed.id,
  };
}

/** Handles modal submissions by custom_id pattern, like components. */
export function onModal<const P extends string>(
  pattern: P,
  handle: InteractionHandler<APIModalSubmitInteraction, ComponentContext<APIModalSubmitInteraction, ArgsOf<P>>>,
): PatternHandlerDefinition<P> {
  const parsed = customIdPattern(pattern);
  return { kind: 'modal', customId: pattern, handle: handle as InteractionHandler<never, never>, id: parsed.id };
}
