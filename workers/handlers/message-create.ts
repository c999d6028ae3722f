// The example bot: answers `!ping` with `pong`.
import { onDiscord } from '../dispatch/registry.ts';

export default onDiscord('MESSAGE_CREATE', async (message, ctx) => {
  // Bots receive their own messages too; answering them would loop.
  if (message.author.bot) return;
  if (message.content.trim() !== '!ping') return;
  await ctx.rest.createMessage(message.channel_id, {
    content: 'pong',
    message_reference: { message_id: message.id, fail_if_not_exists: false },
  });
});
