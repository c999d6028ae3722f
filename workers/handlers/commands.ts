// The bot's command definitions: what `npm run register` publishes to Discord. Plain data (no Worker
// imports), so the register script can read it in Node. Handlers import these same objects, and their
// `ctx.options` is typed from them: declare each `as const satisfies …`.
import type { RESTPostAPIChatInputApplicationCommandsJSONBody } from 'discord-api-types/v10';
import { OPTION } from '../interactions/constants.ts';

export const ping = {
  name: 'ping',
  description: 'Check that the bot is alive',
} as const satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;

/**
 * A slash command with subcommands and typed options; `ask` posts a question with vote buttons and suggests
 * questions as the user types (autocomplete).
 */
export const poll = {
  name: 'poll',
  description: 'Ask the channel a yes/no question',
  options: [
    {
      name: 'ask',
      description: 'Post a question with Yes and No buttons',
      type: OPTION.Subcommand,
      options: [
        {
          name: 'question',
          description: 'What to ask (suggestions as you type)',
          type: OPTION.String,
          required: true,
          max_length: 200,
          autocomplete: true,
        },
        {
          name: 'style',
          description: 'Button labels',
          type: OPTION.String,
          choices: [
            { name: 'Yes / No', value: 'words' },
            { name: '👍 / 👎', value: 'thumbs' },
          ],
        },
      ],
    },
    { name: 'help', description: 'How polls work', type: OPTION.Subcommand },
  ],
} as const satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;

/** Opens a modal form; the answer comes back as a modal submission. */
export const feedback = {
  name: 'feedback',
  description: 'Send feedback to the bot’s authors',
  options: [
    {
      name: 'topic',
      description: 'What it is about',
      type: OPTION.String,
      required: true,
      choices: [
        { name: 'A bug', value: 'bug' },
        { name: 'An idea', value: 'idea' },
      ],
    },
  ],
} as const satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;

/** Answers with a file: a CSV table, uploaded with the deferred reply. */
export const exportTable = {
  name: 'export',
  description: 'Get a CSV file of squares',
  options: [{ name: 'rows', description: 'How many rows (1-100)', type: OPTION.Integer, min_value: 1, max_value: 100 }],
} as const satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;

/** Every command the bot publishes. A handler for a command missing here would never be called by Discord. */
export const commands = [ping, poll, feedback, exportTable];
