// READY and GUILD_CREATE payloads (Discord docs, Topics > Gateway Events > Ready, Guild Create).
import { ChannelType, type GatewayReadyDispatchData, type UserFlags } from 'discord-api-types/v10';
import { apiUser } from '../messages.ts';
import type { World, WorldGuild, WorldIndex, WorldUser } from '../world.ts';

export interface ReadyInput {
  world: World;
  sessionId: string;
  resumeGatewayUrl: string;
  shard: [number, number];
  guilds: WorldGuild[];
}

export function readyData(input: ReadyInput): GatewayReadyDispatchData {
  return {
    v: 10,
    user: { ...apiUser(input.world.bot), verified: true, mfa_enabled: false, flags: 0 as UserFlags },
    guilds: input.guilds.map((g) => ({ id: g.id, unavailable: true })),
    session_id: input.sessionId,
    resume_gateway_url: input.resumeGatewayUrl,
    shard: input.shard,
    application: {
      id: input.world.application.id,
      flags: input.world.application.flags,
      flags_new: String(input.world.application.flags),
    },
  };
}

// A fixed join date keeps payloads deterministic across runs.
export const JOINED_AT = '2024-01-01T00:00:00.000Z';

function member(user: WorldUser) {
  return { user: apiUser(user), roles: [], joined_at: JOINED_AT, deaf: false, mute: false, flags: 0 };
}

/**
 * GUILD_CREATE data. Typed loosely on purpose: a full APIGuild has dozens of fields bots rarely read; this
 * carries the ones libraries use (channels, members, member_count, large, roles) with Discord's names.
 */
export function guildCreateData(index: WorldIndex, guild: WorldGuild, largeThreshold: number): Record<string, unknown> {
  const world = index.world;
  const users = guild.member_ids.map((id) => index.user(id)).filter((u) => u !== undefined);
  const memberCount = users.length + 1;
  const large = memberCount > largeThreshold;
  const listed = [world.bot, ...users].slice(0, large ? largeThreshold : memberCount);
  return {
    id: guild.id,
    name: guild.name,
    icon: null,
    splash: null,
    discovery_splash: null,
    owner_id: guild.owner_id,
    afk_channel_id: null,
    afk_timeout: 300,
    verification_level: 0,
    default_message_notifications: 0,
    explicit_content_filter: 0,
    roles: [
      {
        id: guild.id,
        name: '@everyone',
        color: 0,
        hoist: false,
        position: 0,
        permissions: '1071698660929',
        managed: false,
        mentionable: false,
        flags: 0,
      },
    ],
    emojis: [],
    stickers: [],
    features: [],
    mfa_level: 0,
    application_id: null,
    system_channel_id: guild.channels[0]?.id ?? null,
    system_channel_flags: 0,
    rules_channel_id: null,
    vanity_url_code: null,
    description: null,
    banner: null,
    premium_tier: 0,
    preferred_locale: 'en-US',
    public_updates_channel_id: null,
    nsfw_level: 0,
    premium_progress_bar_enabled: false,
    joined_at: JOINED_AT,
    large,
    unavailable: false,
    member_count: memberCount,
    members: listed.map(member),
    channels: guild.channels.map((c) => ({
      id: c.id,
      type: ChannelType.GuildText,
      guild_id: guild.id,
      name: c.name,
      position: c.position,
      permission_overwrites: [],
      parent_id: null,
      nsfw: false,
      topic: null,
      last_message_id: null,
      rate_limit_per_user: 0,
    })),
    threads: [],
    presences: [],
    voice_states: [],
    stage_instances: [],
    guild_scheduled_events: [],
    soundboard_sounds: [],
  };
}
