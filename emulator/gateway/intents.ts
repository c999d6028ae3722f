// Intent checks (Discord docs, Topics > Gateway > Gateway Intents; Privileged Intents; Message Content Intent).
import { GatewayDispatchEvents, GatewayIntentBits } from 'discord-api-types/v10';

export const ALL_INTENTS: number = Object.values(GatewayIntentBits)
  .filter((v): v is number => typeof v === 'number')
  .reduce((all, bit) => all | bit, 0);

export type IntentCheck = { ok: true } | { ok: false; code: 4013 | 4014 };

export function checkIntents(intents: unknown, privilegedEnabled: number, privileged: number): IntentCheck {
  if (typeof intents !== 'number' || !Number.isInteger(intents) || intents < 0 || (intents & ~ALL_INTENTS) !== 0) {
    return { ok: false, code: 4013 };
  }
  if ((intents & privileged & ~privilegedEnabled) !== 0) return { ok: false, code: 4014 };
  return { ok: true };
}

// The intent a guild event needs; events not listed are sent regardless of intents.
const GUILD_EVENT_INTENTS: Partial<Record<string, number>> = {
  [GatewayDispatchEvents.GuildCreate]: GatewayIntentBits.Guilds,
  [GatewayDispatchEvents.GuildUpdate]: GatewayIntentBits.Guilds,
  [GatewayDispatchEvents.GuildDelete]: GatewayIntentBits.Guilds,
  [GatewayDispatchEvents.ChannelCreate]: GatewayIntentBits.Guilds,
  [GatewayDispatchEvents.MessageCreate]: GatewayIntentBits.GuildMessages,
  [GatewayDispatchEvents.MessageUpdate]: GatewayIntentBits.GuildMessages,
  [GatewayDispatchEvents.MessageDelete]: GatewayIntentBits.GuildMessages,
  [GatewayDispatchEvents.GuildMemberAdd]: GatewayIntentBits.GuildMembers,
  [GatewayDispatchEvents.PresenceUpdate]: GatewayIntentBits.GuildPresences,
  [GatewayDispatchEvents.TypingStart]: GatewayIntentBits.GuildMessageTyping,
};

export function wantsGuildEvent(intents: number, type: string): boolean {
  const needed = GUILD_EVENT_INTENTS[type];
  return needed === undefined || (intents & needed) !== 0;
}

export function seesMessageContent(intents: number): boolean {
  return (intents & GatewayIntentBits.MessageContent) !== 0;
}
