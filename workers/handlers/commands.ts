// The bot's command definitions: what `npm run register` publishes to Discord. Plain data (no Worker
// imports), so the register script can read it in Node. Handlers import these same objects.
import type { RESTPostAPIChatInputApplicationCommandsJSONBody } from 'discord-api-types/v10';

export const ping = {
  name: 'ping',
  description: 'Check that the bot is alive',
} as const satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;

/** Every command the bot publishes. A handler for a command missing here would never be called by Discord. */
export const commands = [ping];
