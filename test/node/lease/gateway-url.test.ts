// Which gateway URLs may receive the bot token (protocol/gateway-url.ts), one row per case, and the
// coordinator's boundary: a host message carrying any other resume URL is refused (issue 11, hole 1).
import { describe, expect, it } from 'vitest';
import { leaseUrl } from '../../../shard-host/lease/index.ts';
import {
  GATEWAY_HOSTS,
  gatewayOriginOf,
  gatewayUrlRefusal,
  LEASE_PROTOCOL_VERSION as v,
  parseHostMessage,
} from '../../../protocol/index.ts';

const EMULATOR = 'ws://127.0.0.1:8787';
const ROWS: [url: string, trusted: string | null, refusal: RegExp | undefined][] = [
  ['wss://gateway.discord.gg', null, undefined],
  ['wss://gateway-us-east1-b.discord.gg', null, undefined],
  ['wss://gateway-us-east1-b.discord.gg:443/?v=10', null, undefined],
  ['wss://api.sgroup.qq.com/websocket', null, undefined],
  ['wss://sandbox.api.sgroup.qq.com/websocket', null, undefined],
  ['ws://127.0.0.1:8787/resume', EMULATOR, undefined],
  ['ws://gateway.discord.gg', null, /only wss/],
  ['wss://discord.gg.evil.example', null, /not a platform gateway host/],
  ['wss://evildiscord.gg', null, /not a platform gateway host/],
  ['wss://gateway.discord.gg:8443', null, /port 8443/],
  ['wss://user:pw@gateway.discord.gg', null, /no credentials/],
  ['ws://127.0.0.1:9999/resume', EMULATOR, /only wss/],
  ['https://gateway.discord.gg', null, /only wss/],
  ['not a url', null, /not a URL/],
];

describe('gatewayUrlRefusal', () => {
  for (const [url, trusted, refusal] of ROWS) {
    it(`${url} (trusted origin ${trusted ?? 'none'}) → ${refusal ?? 'allowed'}`, () => {
      const got = gatewayUrlRefusal(url, [trusted]);
      if (refusal === undefined) expect(got).toBeUndefined();
      else expect(got).toMatch(refusal);
    });
  }

  it('derives the emulator origin from DISCORD_API_URL', () => {
    expect(gatewayOriginOf('http://127.0.0.1:8787/api/v10')).toBe(EMULATOR);
    expect(gatewayOriginOf('https://discord.com/api/v10')).toBe('wss://discord.com');
    expect(gatewayOriginOf('ftp://x')).toBeNull();
  });
});

describe('parseHostMessage: resume URLs at the coordinator boundary', () => {
  const released = (resumeUrl: string) => ({
    v,
    type: 'released',
    shard: 0,
    epoch: 1,
    reason: 'x',
    session: { sessionId: 's', resumeUrl, seq: 1 },
  });

  it('refuses a resume URL off the platform hosts and the configured origin', () => {
    expect(() => parseHostMessage(released('wss://token-catcher.example'), [EMULATOR])).toThrow(
      /session.resumeUrl refused: token-catcher.example is not a platform gateway host/,
    );
  });

  it("accepts Discord's resume host and the emulator's origin", () => {
    expect(parseHostMessage(released('wss://gateway-us-east1-b.discord.gg'), [EMULATOR])).toMatchObject({
      session: { resumeUrl: 'wss://gateway-us-east1-b.discord.gg' },
    });
    expect(parseHostMessage(released(`${EMULATOR}/resume`), [EMULATOR])).toMatchObject({ type: 'released' });
  });
});

describe("each platform's coordinator trusts only its platform's gateway hosts", () => {
  const PER_PLATFORM: [platform: 'discord' | 'qq', url: string, refusal: RegExp | undefined][] = [
    ['discord', 'wss://gateway-us-east1-b.discord.gg', undefined],
    ['discord', 'wss://api.sgroup.qq.com/websocket', /api.sgroup.qq.com is not a platform gateway host/],
    ['qq', 'wss://api.sgroup.qq.com/websocket', undefined],
    ['qq', 'wss://sandbox.api.sgroup.qq.com/websocket', undefined],
    ['qq', 'wss://gateway.discord.gg', /gateway.discord.gg is not a platform gateway host/],
  ];
  for (const [platform, url, refusal] of PER_PLATFORM) {
    it(`${platform}: ${url} → ${refusal ?? 'allowed'}`, () => {
      const got = gatewayUrlRefusal(url, [], GATEWAY_HOSTS[platform]);
      if (refusal === undefined) expect(got).toBeUndefined();
      else expect(got).toMatch(refusal);
    });
  }

  it('parseHostMessage checks against the hosts it is given', () => {
    const released = {
      v,
      type: 'released',
      shard: 0,
      epoch: 1,
      reason: 'x',
      session: { sessionId: 's', resumeUrl: 'wss://gateway.discord.gg', seq: 1 },
    };
    expect(() => parseHostMessage(released, [], GATEWAY_HOSTS.qq)).toThrow(
      /session.resumeUrl refused: gateway.discord.gg is not a platform gateway host \(api.sgroup.qq.com, sandbox.api.sgroup.qq.com\)/,
    );
    expect(parseHostMessage(released, [], GATEWAY_HOSTS.discord)).toMatchObject({ type: 'released' });
  });
});

describe('leaseUrl', () => {
  it("names the platform's coordinator: Discord's URL is unchanged, QQ's adds ?platform=qq", () => {
    expect(leaseUrl('http://127.0.0.1:8787/')).toBe('ws://127.0.0.1:8787/coordinator/connect');
    expect(leaseUrl('https://bot.example.workers.dev', 'discord')).toBe(
      'wss://bot.example.workers.dev/coordinator/connect',
    );
    expect(leaseUrl('https://bot.example.workers.dev', 'qq')).toBe(
      'wss://bot.example.workers.dev/coordinator/connect?platform=qq',
    );
  });
});
