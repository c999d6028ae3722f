// The example bot: `!whois <name prefix>` lists up to ten members of the guild whose username starts with it.
// It shows a gateway command round trip: the handler asks the shard that owns the guild for members (op 8,
// through the coordinator), and Discord answers on that shard with GUILD_MEMBERS_CHUNK, which reaches the
// chunk handler below like any event. The nonce carries the channel to answer in (Discord docs, Gateway
// Events > Request Guild Members: a nonce of up to 32 bytes comes back on every chunk). A prefix query needs
// no privileged intent; the entire list (query "") would need GUILD_MEMBERS.
import { GatewayOpcodes } from 'discord-api-types/v10';
import { EdgeshardError, ERROR_CODES } from '../../protocol/index.ts';
import { onDiscord } from '../dispatch/registry.ts';

const NONCE_PREFIX = 'whois:';

const request = onDiscord('MESSAGE_CREATE', async (message, ctx) => {
  if (message.author.bot || !message.guild_id) return;
  const match = /^!whois\s+(\S{1,32})$/.exec(message.content.trim());
  if (!match) return;
  try {
    await ctx.gateway.send(message.guild_id, {
      op: GatewayOpcodes.RequestGuildMembers,
      d: { guild_id: message.guild_id, query: match[1]!, limit: 10, nonce: `${NONCE_PREFIX}${message.channel_id}` },
    });
  } catch (err) {
    // Sent at most once: while the guild's shard moves between hosts the command is refused, not queued.
    if (!(err instanceof EdgeshardError) || err.code !== ERROR_CODES.NOT_AVAILABLE) throw err;
    await ctx.rest.createMessage(message.channel_id, {
      content: 'The member list is not reachable right now; try again in a few seconds.',
    });
  }
});

const answer = onDiscord('GUILD_MEMBERS_CHUNK', async (chunk, ctx) => {
  if (!chunk.nonce?.startsWith(NONCE_PREFIX)) return; // another handler's request
  const channelId = chunk.nonce.slice(NONCE_PREFIX.length);
  const names = chunk.members.map((m) => m.user.username);
  await ctx.rest.createMessage(channelId, {
    content: names.length === 0 ? 'Nobody matches.' : `Members: ${names.join(', ')}`,
  });
});

export default [request, answer];
