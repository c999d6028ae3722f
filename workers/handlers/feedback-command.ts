// The example bot's `/feedback topic:<bug|idea>`: opens a modal form; the submission arrives at the modal
// handler, whose custom_id pattern carries the topic (`feedback:{topic}`), typed in ctx.args.
import { onCommand, onModal } from '../dispatch/registry.ts';
import { COMPONENT, TEXT_INPUT_STYLE } from '../interactions/constants.ts';
import { modalValues } from '../interactions/modal.ts';
import { feedback } from './commands.ts';

const submitted = onModal('feedback:{topic}', (interaction, ctx) => {
  const text = modalValues(interaction).text?.trim() ?? '';
  ctx.log.info('feedback received', { topic: ctx.args.topic, length: text.length });
  return ctx.reply(
    `Thanks! Your ${ctx.args.topic === 'bug' ? 'bug report' : 'idea'} (${text.length} characters) was received.`,
    {
      ephemeral: true,
    },
  );
});

const command = onCommand(feedback, (_interaction, ctx) =>
  ctx.showModal({
    custom_id: submitted.id({ topic: ctx.options.topic }),
    title: ctx.options.topic === 'bug' ? 'Report a bug' : 'Share an idea',
    components: [
      {
        type: COMPONENT.Label,
        label: 'Tell us more',
        component: {
          type: COMPONENT.TextInput,
          custom_id: 'text',
          style: TEXT_INPUT_STYLE.Paragraph,
          min_length: 1,
          max_length: 1000,
        },
      },
    ],
  }),
);

export default [command, submitted];
