import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  applicationIdFromToken,
  DEFAULT_PERMISSIONS,
  inviteUrl,
  permissionBits,
} from '../../../scripts/lib/invite-url.ts';

describe('npm run invite', () => {
  it('asks for the bot and applications.commands scopes with the example bot permissions', () => {
    // ViewChannel 1<<10 | SendMessages 1<<11 | EmbedLinks 1<<14 | ReadMessageHistory 1<<16
    expect(permissionBits(DEFAULT_PERMISSIONS)).toBe(84992n);
    expect(inviteUrl('1234567890123456789', 84992n)).toBe(
      'https://discord.com/oauth2/authorize?client_id=1234567890123456789&scope=bot+applications.commands&permissions=84992',
    );
    expect(inviteUrl('1234567890123456789', 0n, '987654321098765432')).toBe(
      'https://discord.com/oauth2/authorize?client_id=1234567890123456789&scope=bot+applications.commands&permissions=0&guild_id=987654321098765432&disable_guild_select=true',
    );
  });

  it('reads the application id from a bot token, and refuses what is not one', () => {
    const token = `${Buffer.from('1234567890123456789').toString('base64')}.GhIjKl.secretpart`;
    expect(applicationIdFromToken(token)).toBe('1234567890123456789');
    expect(applicationIdFromToken('emulator-abc')).toBe(undefined);
  });

  it('refuses an unknown permission name', () => {
    expect(() => permissionBits(['SendMessages', 'Fly'])).toThrow('unknown permission "Fly"');
  });

  it('prints the URL for --app-id, offline', () => {
    const out = execFileSync(
      process.execPath,
      [new URL('../../../scripts/invite.ts', import.meta.url).pathname, '--app-id', '1234567890123456789'],
      { encoding: 'utf8', env: { PATH: process.env.PATH } },
    );
    expect(out).toBe(
      'https://discord.com/oauth2/authorize?client_id=1234567890123456789&scope=bot+applications.commands&permissions=84992\n',
    );
  });
});
