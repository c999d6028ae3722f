import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../shard-host/config.ts';
import { parseQQIntents } from '../../../shard-host/qq/config.ts';

const secret = { EDGESHARD_SECRET: '0123456789abcdef' };
const qq = { QQ_APP_ID: '102000001', QQ_APP_SECRET: 'abcdefghijklmnopqrstuvwxyz012345' };
const load = (env: Record<string, string>) => loadConfig([], env, '/nonexistent/.env');

describe('QQ host configuration', () => {
  it('QQ credentials alone are enough: the host runs QQ only', () => {
    const c = load({ ...secret, ...qq });
    expect(c.discord).toBe(false);
    expect(c.token).toBe('');
    expect(c.qq).toEqual({
      appId: '102000001',
      appSecret: qq.QQ_APP_SECRET,
      apiUrl: 'https://api.sgroup.qq.com',
      tokenUrl: 'https://bots.qq.com/app/getAppAccessToken',
      intents: (1 << 0) | (1 << 25) | (1 << 30),
      sandbox: false,
    });
  });

  it('both platforms when both credentials are present; neither is an error naming both', () => {
    const c = load({ ...secret, ...qq, DISCORD_TOKEN: 't' });
    expect([c.discord, c.qq?.appId]).toEqual([true, '102000001']);
    expect(load({ ...secret, DISCORD_TOKEN: 't' }).qq).toBe(undefined);
    expect(() => load(secret)).toThrow(/neither DISCORD_TOKEN nor QQ_APP_ID \+ QQ_APP_SECRET is set/);
  });

  it('QQ_SANDBOX=on switches the default API base; an explicit QQ_API_URL wins', () => {
    expect(load({ ...secret, ...qq, QQ_SANDBOX: 'on' }).qq?.apiUrl).toBe('https://sandbox.api.sgroup.qq.com');
    expect(load({ ...secret, ...qq, QQ_SANDBOX: 'on', QQ_API_URL: 'http://127.0.0.1:9/qq/api/' }).qq?.apiUrl).toBe(
      'http://127.0.0.1:9/qq/api',
    );
    expect(() => load({ ...secret, ...qq, QQ_SANDBOX: 'yes' })).toThrow('QQ_SANDBOX must be "on" or "off", got "yes"');
  });

  it.each([
    [{ QQ_APP_ID: '1' }, /QQ_APP_ID is set but QQ_APP_SECRET is not/],
    [{ QQ_APP_SECRET: 's' }, /QQ_APP_SECRET is set but QQ_APP_ID is not/],
    [{ ...qq, QQ_TOKEN_URL: 'ftp://x' }, /QQ_TOKEN_URL must be an http\(s\) URL/],
    [{ ...qq, EDGESHARD_QQ_INTENTS: 'GUILDS,NOPE' }, /unknown intent "NOPE"/],
  ])('%o → %s', (env, message) => {
    expect(() => load({ ...secret, ...env })).toThrow(message);
  });
});

describe('EDGESHARD_QQ_INTENTS', () => {
  it.each([
    ['513', 513],
    ['GUILDS,GROUP_AND_C2C_EVENT', 1 | (1 << 25)],
    ['IntentGuilds, IntentGroupMessages', 1 | (1 << 25)],
    ['guild_at_message', 1 << 30],
    ['PUBLIC_GUILD_MESSAGES', 1 << 30],
    ['IntentAudit,IntentForum,IntentAudio,IntentInteraction', (1 << 27) | (1 << 28) | (1 << 29) | (1 << 26)],
    ['direct_message,IntentDirectMessages', 1 << 12],
  ])('%s → %i', (value, bits) => {
    expect(parseQQIntents(value)).toBe(bits);
  });
});
