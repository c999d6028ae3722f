// The bot's invite URL (Discord docs, Topics > OAuth2 > Bot Authorization Flow): the `bot` scope adds the
// bot user with the permissions asked for, `applications.commands` lets the guild use its slash commands.
import { PermissionFlagsBits } from 'discord-api-types/v10';

export const INVITE_SCOPES = ['bot', 'applications.commands'] as const;

/** What the example handlers need: see channels, read their history, send messages with embeds. */
export const DEFAULT_PERMISSIONS: readonly (keyof typeof PermissionFlagsBits)[] = [
  'ViewChannel',
  'SendMessages',
  'EmbedLinks',
  'ReadMessageHistory',
];

export function permissionBits(names: readonly string[]): bigint {
  let bits = 0n;
  for (const name of names) {
    const bit = (PermissionFlagsBits as Record<string, bigint>)[name];
    if (bit === undefined) throw new Error(`unknown permission "${name}"; use names like SendMessages,ViewChannel`);
    bits |= bit;
  }
  return bits;
}

export function inviteUrl(applicationId: string, permissions: bigint, guildId?: string): string {
  const url = new URL('https://discord.com/oauth2/authorize');
  url.searchParams.set('client_id', applicationId);
  url.searchParams.set('scope', INVITE_SCOPES.join(' '));
  url.searchParams.set('permissions', permissions.toString());
  if (guildId) {
    url.searchParams.set('guild_id', guildId);
    url.searchParams.set('disable_guild_select', 'true');
  }
  return url.toString();
}

/** A bot token's first part is the bot user's id in base64, which is the application's id for every bot
 * created since 2019 (older ones: pass --app-id). */
export function applicationIdFromToken(token: string): string | undefined {
  const first = token.replace(/^Bot\s+/i, '').split('.')[0];
  if (!first) return undefined;
  const id = Buffer.from(first, 'base64').toString('utf8');
  return /^\d{15,21}$/.test(id) ? id : undefined;
}
