// Discord gateway constants the host needs at run time (Discord docs, Topics > Opcodes and Status Codes;
// Topics > Gateway > Gateway Intents). discord-api-types has them as enums, but loading its gateway module
// costs the host about 4 MB of RSS for these numbers (bench/RESULTS.md); its types check ours instead: a
// name or value that differs, or a new one in the library, fails the type check here.
import type { GatewayIntentBits, GatewayOpcodes } from 'discord-api-types/gateway/v10';

export const GATEWAY_OPCODES = {
  Dispatch: 0,
  Heartbeat: 1,
  Identify: 2,
  PresenceUpdate: 3,
  VoiceStateUpdate: 4,
  Resume: 6,
  Reconnect: 7,
  RequestGuildMembers: 8,
  InvalidSession: 9,
  Hello: 10,
  HeartbeatAck: 11,
  RequestSoundboardSounds: 31,
  RequestChannelInfo: 43,
} as const satisfies { [K in keyof typeof GatewayOpcodes]: (typeof GatewayOpcodes)[K] };

/** Every intent by name, the library's deprecated aliases (GuildBans, GuildEmojisAndStickers) included.
 *  Literals, not shifts: a shift's type is `number`, which the check below would not compare. */
export const GATEWAY_INTENTS = {
  Guilds: 1, // 1 << 0
  GuildMembers: 2, // 1 << 1
  GuildModeration: 4, // 1 << 2
  GuildBans: 4, // 1 << 2
  GuildExpressions: 8, // 1 << 3
  GuildEmojisAndStickers: 8, // 1 << 3
  GuildIntegrations: 16, // 1 << 4
  GuildWebhooks: 32, // 1 << 5
  GuildInvites: 64, // 1 << 6
  GuildVoiceStates: 128, // 1 << 7
  GuildPresences: 256, // 1 << 8
  GuildMessages: 512, // 1 << 9
  GuildMessageReactions: 1024, // 1 << 10
  GuildMessageTyping: 2048, // 1 << 11
  DirectMessages: 4096, // 1 << 12
  DirectMessageReactions: 8192, // 1 << 13
  DirectMessageTyping: 16384, // 1 << 14
  MessageContent: 32768, // 1 << 15
  GuildScheduledEvents: 65536, // 1 << 16
  AutoModerationConfiguration: 1048576, // 1 << 20
  AutoModerationExecution: 2097152, // 1 << 21
  GuildMessagePolls: 16777216, // 1 << 24
  DirectMessagePolls: 33554432, // 1 << 25
} as const satisfies { [K in keyof typeof GatewayIntentBits]: (typeof GatewayIntentBits)[K] };
