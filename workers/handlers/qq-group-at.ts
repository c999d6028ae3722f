// The example bot on QQ: answers an @-mention in a group. QQ removes the mention from `content` but keeps
// the space after it, hence the trim.
import { onQQ } from '../dispatch/registry.ts';

export default onQQ('GROUP_AT_MESSAGE_CREATE', async (message, ctx) => {
  const text = message.content.trim();
  // A passive reply (msg_id): QQ accepts it within 5 minutes of the message, and refuses the same msg_id +
  // msg_seq twice, so a redelivered event cannot produce a second reply.
  await ctx.qq.replyGroup(message, text === 'ping' || text === '/ping' ? 'pong' : `hello! you said: ${text}`);
});
