// Declaring interaction handlers. The command definition is the same object `npm run register` publishes,
// so a handler and its command cannot drift apart; the interaction type is inferred from it.
import type {
  APIApplicationCommandAutocompleteInteraction,
  APIApplicationCommandAutocompleteResponse,
  APIMessageComponentInteraction,
  APIModalSubmitInteraction,
} from 'discord-api-types/v10';
import type {
  AutocompleteContext,
  CommandDefinition,
  ComponentContext,
  InteractionContext,
  InteractionFor,
  InteractionHandler,
  InteractionHandlerDefinition,
} from './types.ts';

/** Handles a slash or context-menu command; `interaction` is typed from `command.type`. */
export function onCommand<const C extends CommandDefinition>(
  command: C,
  handle: InteractionHandler<InteractionFor<C>, InteractionContext<InteractionFor<C>>>,
  options: {
    autocomplete?: (
      interaction: APIApplicationCommandAutocompleteInteraction,
      ctx: AutocompleteContext,
    ) => APIApplicationCommandAutocompleteResponse | Promise<APIApplicationCommandAutocompleteResponse>;
  } = {},
): InteractionHandlerDefinition {
  return {
    kind: 'command',
    command,
    handle: handle as InteractionHandler<never, never>,
    ...(options.autocomplete ? { autocomplete: options.autocomplete as InteractionHandler<never, never> } : {}),
  };
}

/**
 * Handles buttons and select menus whose custom_id is `customId`, or starts with `customId:` (so
 * `vote:42` reaches the `vote` handler, which reads its arguments after the colon).
 */
export function onComponent(
  customId: string,
  handle: InteractionHandler<APIMessageComponentInteraction, ComponentContext<APIMessageComponentInteraction>>,
): InteractionHandlerDefinition {
  return { kind: 'component', customId, handle: handle as InteractionHandler<never, never> };
}

/** Handles modal submissions by custom_id, matched like components. */
export function onModal(
  customId: string,
  handle: InteractionHandler<APIModalSubmitInteraction, ComponentContext<APIModalSubmitInteraction>>,
): InteractionHandlerDefinition {
  return { kind: 'modal', customId, handle: handle as InteractionHandler<never, never> };
}
