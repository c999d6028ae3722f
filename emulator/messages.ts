// Message objects in Discord's shape (Discord docs, Resources > Message > Message Object), and the
// MESSAGE_CREATE dispatch data, which adds guild_id and member for guild messages.
import {
  MessageReferenceType,
  MessageType,
  type GuildMemberFlags,
  type APIAttachment,
  type APIEmbed,
  type APIMessage,
  type APIUser,
  type GatewayMessageCreateDispatchData,
} from 'discord-api-types/v10';
import type { WorldChannel, WorldUser } from './world.ts';

export function apiUser(user: WorldUser): APIUser {
  return {
    id: user.id,
    username: user.username,
    discriminator: '0',
    global_name: user.global_name,
    avatar: null,
    ...(user.bot ? { bot: true } : {}),
  };
}

export interface NewMessage {
  id: string;
  channel: WorldChannel;
  author: WorldUser;
  content: string;
  embeds?: APIEmbed[];
  attachments?: APIAttachment[];
  nonce?: string | number;
  timestamp?: number;
  /** A reply: Discord docs, Resources > Message > Message Reference (type 0, DEFAULT). */
  replyTo?: string;
}

export function buildMessage(input: NewMessage): APIMessage {
  return {
    id: input.id,
    channel_id: input.channel.id,
    author: apiUser(input.author),
    content: input.content,
    timestamp: new Date(input.timestamp ?? Date.now()).toISOString(),
    edited_timestamp: null,
    tts: false,
    mention_everyone: false,
    mentions: [],
    mention_roles: [],
    attachments: input.attachments ?? [],
    embeds: input.embeds ?? [],
    pinned: false,
    type: input.replyTo === undefined ? MessageType.Default : MessageType.Reply,
    ...(input.nonce !== undefined ? { nonce: input.nonce } : {}),
    ...(input.replyTo === undefined
      ? {}
      : {
          message_reference: {
            type: MessageReferenceType.Default,
            message_id: input.replyTo,
            channel_id: input.channel.id,
            guild_id: input.channel.guild_id,
          },
        }),
  };
}

export function messageCreateData(
  message: APIMessage,
  guildId: string,
  joinedAt: string,
): GatewayMessageCreateDispatchData {
  return {
    ...message,
    guild_id: guildId,
    member: { roles: [], joined_at: joinedAt, deaf: false, mute: false, flags: 0 as GuildMemberFlags },
    mentions: [],
  };
}
