// The example bot: answers `!ping` with `pong`, through ctx.api (the whole Discord API, typed; every call
// goes through the REST proxy Durable Object, which keeps the bot inside Discord's rate limits).
import { onDiscord } from '../dispatch/registry.ts';

export default onDiscord('MESSAGE_CREATE', async (message, ctx) => {
  // Bots receive their own messages too; answering them would loop.
  if (message.author.bot) return;
  if (message.content.trim() !== '!ping') return;
  await ctx.api.channels.createMessage(message.channel_id, {
    content: 'pong',
    message_reference: { message_id: message.id, fail_if_not_exists: false },
  });
});
