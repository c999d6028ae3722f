// The example bot's `/poll ask question:<text> [style]` and `/poll help`: a slash command with subcommands,
// each routed to its own handler with typed options, autocomplete for the question, and a button flow. The buttons carry the tally in their
// custom_id (`poll:{choice}:{yes:int}:{no:int}`), so a click needs no storage: the handler reads the counts
// from ctx.args, adds the vote and updates the message with new buttons carrying the new counts. (A real
// poll that must count each user once keeps votes in a Durable Object or KV; the flow stays the same.)
import type { APIActionRowComponent, APIButtonComponentWithCustomId } from 'discord-api-types/v10';
import { onComponent, onSubcommands } from '../dispatch/registry.ts';
import { BUTTON_STYLE, COMPONENT } from '../interactions/constants.ts';
import { poll } from './commands.ts';

type Style = 'words' | 'thumbs';
const LABELS: Record<Style, { yes: string; no: string }> = {
  words: { yes: 'Yes', no: 'No' },
  thumbs: { yes: '👍', no: '👎' },
};

const vote = onComponent('poll:{choice}:{yes:int}:{no:int}:{style}', (interaction, ctx) => {
  const { choice, style } = ctx.args;
  const yes = ctx.args.yes + (choice === 'yes' ? 1 : 0);
  const no = ctx.args.no + (choice === 'no' ? 1 : 0);
  const question = interaction.message.content.split('\n')[0] ?? '';
  return ctx.update({
    content: `${question}\n${tally(yes, no)}`,
    components: [buttons(style === 'thumbs' ? 'thumbs' : 'words', yes, no)],
  });
});

function tally(yes: number, no: number): string {
  return `Yes: ${yes} · No: ${no}`;
}

function buttons(style: Style, yes: number, no: number): APIActionRowComponent<APIButtonComponentWithCustomId> {
  const button = (choice: 'yes' | 'no', buttonStyle: typeof BUTTON_STYLE.Success | typeof BUTTON_STYLE.Danger) => ({
    type: COMPONENT.Button,
    style: buttonStyle,
    label: LABELS[style][choice],
    custom_id: vote.id({ choice, yes, no, style }),
  });
  return {
    type: COMPONENT.ActionRow,
    components: [button('yes', BUTTON_STYLE.Success), button('no', BUTTON_STYLE.Danger)],
  };
}

/** What autocomplete suggests while the user types a question. */
const SUGGESTIONS = ['Pizza tonight?', 'Meet on Friday?', 'Ship the release today?', 'Switch to dark mode?'];

const command = onSubcommands(
  poll,
  {
    ask: (_interaction, ctx) =>
      ctx.reply({
        content: `📊 ${ctx.options.question}\n${tally(0, 0)}`,
        components: [buttons(ctx.options.style ?? 'words', 0, 0)],
      }),
    help: (_interaction, ctx) =>
      ctx.reply('Use `/poll ask question:<text>`; everyone in the channel can vote with the buttons.', {
        ephemeral: true,
      }),
  },
  {
    // ctx.focused.name is typed from the definition: 'question' is the only option marked autocomplete.
    autocomplete: (_interaction, ctx) => {
      const typed = ctx.focused.value.toLowerCase();
      const matches = SUGGESTIONS.filter((q) => q.toLowerCase().includes(typed));
      return ctx.choices(matches.slice(0, 25).map((q) => ({ name: q, value: q })));
    },
  },
);

export default [command, vote];
