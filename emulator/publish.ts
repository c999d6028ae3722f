// Creating messages: a user "says" something (control API, traffic generator) or the bot posts through REST.
// Either way the message is dispatched as MESSAGE_CREATE to the sessions owning its guild, serialized once.
import { GatewayDispatchEvents, type APIAttachment, type APIEmbed, type APIMessage } from 'discord-api-types/v10';
import type { EmulatorCore } from './core.ts';
import { buildMessage, messageCreateData } from './messages.ts';
import { JOINED_AT } from './gateway/ready.ts';
import type { WorldChannel, WorldGuild, WorldUser } from './world.ts';

export class UnknownChannelError extends Error {
  readonly code = 10003;
  constructor(channelId: string) {
    super(`Unknown Channel ${channelId}`);
    this.name = 'UnknownChannelError';
  }
}

export interface PublishInput {
  channel: WorldChannel;
  guild: WorldGuild;
  author: WorldUser;
  content: string;
  embeds?: APIEmbed[];
  attachments?: APIAttachment[];
  nonce?: string | number;
  replyTo?: string;
}

export function publishMessage(core: EmulatorCore, input: PublishInput): APIMessage {
  const message = buildMessage({ id: core.ids.next(), ...input });
  const data = messageCreateData(message, input.guild.id, JOINED_AT);
  const json = JSON.stringify(data);
  // Discord docs, Events > Message Content Intent: without MESSAGE_CONTENT, content (and embeds, attachments,
  // components) arrive empty, except for the app's own messages.
  const redacted = input.author.bot
    ? undefined
    : (() => {
        let cached: string | undefined;
        return () => (cached ??= JSON.stringify({ ...data, content: '', embeds: [], attachments: [], components: [] }));
      })();
  core.hub.dispatchToGuild(input.guild.id, {
    type: GatewayDispatchEvents.MessageCreate,
    id: message.id,
    json,
    ...(redacted ? { redactedJson: redacted } : {}),
  });
  return message;
}

/** A user says something in a channel (the first seeded user unless userId names another). */
export function say(core: EmulatorCore, input: { channelId: string; content: string; userId?: string }): APIMessage {
  const found = core.index.channel(input.channelId);
  if (!found) throw new UnknownChannelError(input.channelId);
  const author = input.userId !== undefined ? core.index.user(input.userId) : core.index.world.users[0];
  if (!author) throw new RangeError(`Unknown User ${input.userId ?? ''}`.trim());
  return publishMessage(core, { channel: found.channel, guild: found.guild, author, content: input.content });
}
