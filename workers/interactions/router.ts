// Finds the handler of an interaction: commands by type and name, components and modals by custom_id
// (exact, or the part before the first ':'). An interaction nobody handles gets a polite answer and is
// counted, never an error page the user cannot read.
import type {
  APIApplicationCommandAutocompleteInteraction,
  APIInteraction,
  APIInteractionDataResolved,
  APIInteractionResponse,
} from 'discord-api-types/v10';
import { EdgeshardError, ERROR_CODES } from '../../protocol/index.ts';
import type { HandlerContext } from '../dispatch/context.ts';
import { COMMAND_TYPE_CHAT_INPUT, EPHEMERAL, INTERACTION_TYPE, RESPONSE_TYPE } from './constants.ts';
import { createAutocompleteContext, createInteractionContext } from './context.ts';
import { describeError } from '../observability/metrics.ts';
import { customIdPattern, type CustomIdPattern } from './custom-id.ts';
import { readOptions, subcommandPath } from './options.ts';
import type { CommandDefinition, InteractionHandler, InteractionHandlerDefinition } from './types.ts';

type AnyHandler = (interaction: unknown, ctx: unknown) => APIInteractionResponse | Promise<APIInteractionResponse>;
type CommandEntry = { command: CommandDefinition; handle: AnyHandler; autocomplete?: AnyHandler };
type PatternEntry = { pattern: CustomIdPattern; handle: AnyHandler };

export interface InteractionOutcome {
  response: APIInteractionResponse;
  /** `false` when no handler matched (the response is then the fallback); `key` names what was looked up. */
  handled: boolean;
  key: string;
}

const commandKey = (type: number | undefined, name: string) => `${type ?? COMMAND_TYPE_CHAT_INPUT}:${name}`;
const baseId = (customId: string) => customId.split(':', 1)[0] ?? customId;

export class InteractionRouter {
  readonly #commands = new Map<string, CommandEntry>();
  readonly #components = new Map<string, PatternEntry>();
  readonly #modals = new Map<string, PatternEntry>();

  readonly #observe: Observe;

  /** `observe` receives each routed interaction's key, outcome and handler time (the registry's metrics). */
  constructor(definitions: readonly InteractionHandlerDefinition[], observe: Observe = () => undefined) {
    this.#observe = observe;
    for (const def of definitions) {
      if (def.kind === 'command') {
        const key = commandKey(def.command.type, def.command.name);
        this.#add(this.#commands, key, `command "${def.command.name}"`, {
          command: def.command,
          handle: def.handle as AnyHandler,
          ...(def.autocomplete ? { autocomplete: def.autocomplete as AnyHandler } : {}),
        });
      } else {
        const map = def.kind === 'component' ? this.#components : this.#modals;
        // One handler per routing key (the pattern's first segment): `vote` and `vote:{n}` would compete.
        const pattern = customIdPattern(def.customId);
        this.#add(map, pattern.key, `${def.kind} "${pattern.key}"`, { pattern, handle: def.handle as AnyHandler });
      }
    }
  }

  #add<T>(map: Map<string, T>, key: string, what: string, value: T): void {
    // An interaction gets exactly one response, so exactly one handler may answer it.
    if (map.has(key))
      throw new EdgeshardError(
        ERROR_CODES.CONFIG_INVALID,
        `two handlers for ${what}: an interaction has one response, keep one handler`,
      );
    map.set(key, value);
  }

  /** The command definitions, for `npm run register` and tests. */
  get commands(): CommandDefinition[] {
    return [...this.#commands.values()].map((c) => c.command);
  }

  get size(): number {
    return this.#commands.size + this.#components.size + this.#modals.size;
  }

  async route(interaction: APIInteraction, base: HandlerContext): Promise<InteractionOutcome> {
    const started = Date.now();
    try {
      const outcome = await this.#route(interaction, base);
      if (outcome.handled) this.#observe(outcome.key, 'handled', Date.now() - started);
      return outcome;
    } catch (err) {
      this.#observe(routeKey(interaction), 'failed', Date.now() - started, {
        error: describeError(err),
        eventId: base.event.id,
      });
      throw err;
    }
  }

  async #route(interaction: APIInteraction, base: HandlerContext): Promise<InteractionOutcome> {
    switch (interaction.type) {
      case INTERACTION_TYPE.Ping:
        return { response: { type: RESPONSE_TYPE.Pong }, handled: true, key: 'ping' };
      case INTERACTION_TYPE.ApplicationCommand: {
        const key = commandKey(interaction.data.type, interaction.data.name);
        const entry = this.#commands.get(key);
        if (!entry) return unhandled(`command:${interaction.data.name}`, `/${interaction.data.name}`);
        const data = interaction.data as {
          options?: Parameters<typeof subcommandPath>[0];
          resolved?: APIInteractionDataResolved;
        };
        const options = readOptions(subcommandPath(data.options).options, data.resolved);
        return {
          response: await entry.handle(interaction, createInteractionContext(base, interaction, { options })),
          handled: true,
          key: `command:${interaction.data.name}`,
        };
      }
      case INTERACTION_TYPE.ApplicationCommandAutocomplete: {
        const entry = this.#commands.get(commandKey(interaction.data.type, interaction.data.name));
        const key = `autocomplete:${interaction.data.name}`;
        // No autocomplete handler: an empty list of choices, which Discord shows as "no options".
        if (!entry?.autocomplete)
          return {
            response: { type: RESPONSE_TYPE.ApplicationCommandAutocompleteResult, data: { choices: [] } },
            handled: false,
            key,
          };
        const ctx = createAutocompleteContext(base, interaction as APIApplicationCommandAutocompleteInteraction);
        return { response: await entry.autocomplete(interaction, ctx), handled: true, key };
      }
      case INTERACTION_TYPE.MessageComponent:
      case INTERACTION_TYPE.ModalSubmit: {
        const kind = interaction.type === INTERACTION_TYPE.MessageComponent ? 'component' : 'modal';
        const map = kind === 'component' ? this.#components : this.#modals;
        const customId = interaction.data.custom_id;
        const entry = map.get(baseId(customId));
        const args = entry?.pattern.parse(customId);
        if (!entry || !args) return unhandled(`${kind}:${customId}`, `this ${kind}`);
        return {
          response: await entry.handle(interaction, createInteractionContext(base, interaction, { args })),
          handled: true,
          key: `${kind}:${baseId(customId)}`,
        };
      }
      default:
        throw new EdgeshardError(
          ERROR_CODES.MALFORMED_PAYLOAD,
          `unknown interaction type ${(interaction as { type: unknown }).type}`,
        );
    }
  }
}

type Observe = (
  key: string,
  outcome: 'handled' | 'failed',
  durationMs: number,
  failure?: { error: string; eventId: string },
) => void;

/** The metrics key of an interaction whose handler threw (same shape as InteractionOutcome.key). */
function routeKey(interaction: APIInteraction): string {
  switch (interaction.type) {
    case INTERACTION_TYPE.ApplicationCommand:
      return `command:${interaction.data.name}`;
    case INTERACTION_TYPE.ApplicationCommandAutocomplete:
      return `autocomplete:${interaction.data.name}`;
    case INTERACTION_TYPE.MessageComponent:
      return `component:${baseId(interaction.data.custom_id)}`;
    case INTERACTION_TYPE.ModalSubmit:
      return `modal:${baseId(interaction.data.custom_id)}`;
    default:
      return 'other';
  }
}

function unhandled(key: string, what: string): InteractionOutcome {
  return {
    response: {
      type: RESPONSE_TYPE.ChannelMessageWithSource,
      data: { content: `${what} is not handled by this version of the bot.`, flags: EPHEMERAL },
    },
    handled: false,
    key,
  };
}

export type { InteractionHandler };
