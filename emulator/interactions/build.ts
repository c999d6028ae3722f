// Interaction objects as Discord sends them (Discord docs, Interactions > Receiving and Responding >
// Interaction Object), built from the emulator's world.
import { randomBytes } from 'node:crypto';
import type { APIInteraction } from 'discord-api-types/v10';
import type { EmulatorCore } from '../core.ts';
import { apiUser } from '../messages.ts';

export type InteractionInput =
  | { type: 'ping' }
  | { type: 'command'; name: string; options?: { name: string; type: number; value: string | number | boolean }[] }
  /** Autocomplete (interaction type 4): the options as typed so far, one of them `focused: true`. */
  | { type: 'autocomplete'; name: string; options: unknown[] }
  | { type: 'component'; customId: string; values?: string[] }
  | { type: 'modal'; customId: string; fields?: Record<string, string> };

export interface InteractionPlace {
  channelId?: string;
  userId?: string;
}

export interface BuiltInteraction {
  interaction: APIInteraction;
  name: string;
  channelId: string;
  guildId: string;
}

export function buildInteraction(
  core: EmulatorCore,
  input: InteractionInput,
  place: InteractionPlace = {},
): BuiltInteraction {
  const world = core.index.world;
  const guild = place.channelId ? core.index.channel(place.channelId)?.guild : world.guilds[0];
  const channel = place.channelId ? core.index.channel(place.channelId)?.channel : guild?.channels[0];
  if (!guild || !channel) throw new RangeError(`Unknown Channel ${place.channelId ?? '(the world has no guilds)'}`);
  const user = place.userId ? core.index.user(place.userId) : world.users[0];
  if (!user) throw new RangeError(`Unknown User ${place.userId ?? ''}`);

  const base = {
    id: core.ids.next(),
    application_id: world.application.id,
    // Discord's tokens are long opaque strings; the emulator's are random and unguessable too.
    token: `emu.${randomBytes(24).toString('base64url')}`,
    version: 1,
    guild_id: guild.id,
    channel_id: channel.id,
    channel: { id: channel.id, type: 0, guild_id: guild.id, name: channel.name },
    member: {
      user: apiUser(user),
      roles: [],
      joined_at: new Date(0).toISOString(),
      deaf: false,
      mute: false,
      flags: 0,
      permissions: '2248473465835073',
    },
    app_permissions: '2248473465835073',
    locale: 'en-US',
    guild_locale: 'en-US',
    entitlements: [],
    authorizing_integration_owners: { '0': guild.id },
    context: 0,
    attachment_size_limit: 10_485_760,
  };
  let data: unknown;
  let type: number;
  let name: string;
  switch (input.type) {
    case 'ping':
      return {
        interaction: {
          id: base.id,
          application_id: base.application_id,
          token: base.token,
          version: 1,
          type: 1,
        } as unknown as APIInteraction,
        name: 'ping',
        channelId: channel.id,
        guildId: guild.id,
      };
    case 'autocomplete':
      type = 4;
      name = input.name;
      data = { id: core.ids.next(), name: input.name, type: 1, guild_id: guild.id, options: input.options };
      break;
    case 'command': {
      type = 2;
      name = input.name;
      data = {
        id: core.ids.next(),
        name: input.name,
        type: 1,
        guild_id: guild.id,
        ...(input.options ? { options: input.options } : {}),
      };
      break;
    }
    case 'component':
      type = 3;
      name = input.customId;
      data = input.values
        ? { custom_id: input.customId, component_type: 3, values: input.values, resolved: {} }
        : { custom_id: input.customId, component_type: 2 };
      break;
    case 'modal':
      type = 5;
      name = input.customId;
      data = {
        custom_id: input.customId,
        components: Object.entries(input.fields ?? {}).map(([custom_id, value]) => ({
          type: 1,
          components: [{ type: 4, custom_id, value }],
        })),
      };
      break;
  }
  const message =
    input.type === 'component'
      ? { message: { id: core.ids.next(), channel_id: channel.id, content: '', author: apiUser(world.bot) } }
      : {};
  return {
    interaction: { ...base, type, data, ...message } as unknown as APIInteraction,
    name,
    channelId: channel.id,
    guildId: guild.id,
  };
}
