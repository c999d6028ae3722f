// Fixtures for the interaction and QQ webhook tests: published Ed25519 vectors, signing in workerd, a fake
// handler context whose REST and QQ calls are recorded instead of sent.
import type { HandlerContext } from '../../workers/dispatch/context.ts';
import { toHex } from '../../workers/interactions/ed25519.ts';
import { discordApi } from '../../workers/rest/api.ts';
import { DiscordRest } from '../../workers/rest/client.ts';
import type { RestRequest } from '../../workers/rest/types.ts';

/** RFC 8032 §7.1 TEST 2: secret key, public key, message 0x72 ('r') and its signature. */
export const RFC8032_TEST2 = {
  seed: '4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb',
  publicKey: '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c',
  message: 'r',
  signature:
    '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00',
};

const PKCS8_PREFIX = '302e020100300506032b657004220420';

export async function signerFromSeed(seedHex: string): Promise<(message: string) => Promise<string>> {
  const der = new Uint8Array((PKCS8_PREFIX + seedHex).match(/../g)!.map((h) => parseInt(h, 16)));
  const key = await crypto.subtle.importKey('pkcs8', der, { name: 'Ed25519' }, false, ['sign']);
  return async (message) =>
    toHex(await crypto.subtle.sign({ name: 'Ed25519' }, key, new TextEncoder().encode(message)));
}

/** A request Discord would send: signed over timestamp + body. */
export async function signedInteraction(
  body: unknown,
  opts: { seed?: string; tamper?: (body: string) => string } = {},
): Promise<RequestInit> {
  const sign = await signerFromSeed(opts.seed ?? RFC8032_TEST2.seed);
  const text = JSON.stringify(body);
  const timestamp = String(Math.floor(Date.now() / 1000));
  const signature = await sign(timestamp + text);
  return {
    method: 'POST',
    body: opts.tamper ? opts.tamper(text) : text,
    headers: {
      'content-type': 'application/json',
      'x-signature-ed25519': signature,
      'x-signature-timestamp': timestamp,
    },
  };
}

export interface Recorded {
  ctx: HandlerContext;
  requests: RestRequest[];
  waited: Promise<unknown>[];
}

/** A handler context with recording REST; `respond` decides each REST answer. */
export function fakeContext(
  respond: (req: RestRequest) => { status: number; body: string } = () => ({ status: 200, body: '{"id":"1"}' }),
): Recorded {
  const requests: RestRequest[] = [];
  const waited: Promise<unknown>[] = [];
  const rest = new DiscordRest({
    request: async (req) => {
      requests.push(req);
      const r = respond(req);
      return { status: r.status, headers: {}, body: r.body };
    },
  });
  const ctx: HandlerContext = {
    env: {} as HandlerContext['env'],
    event: { id: 'discord:interaction:1', platform: 'discord', shard: null, type: 'INTERACTION_CREATE' },
    log: { info: () => undefined, warn: () => undefined, error: () => undefined },
    waitUntil: (p) => void waited.push(p),
    api: discordApi(rest),
    rest,
    get qq(): never {
      throw new Error('no QQ in this test');
    },
    gateway: { send: async () => undefined },
  };
  return { ctx, requests, waited };
}

/** A chat-input command interaction as Discord sends it (the fields the router reads, plus ids). */
export function commandInteraction(name: string, extra: Record<string, unknown> = {}) {
  return {
    id: '900000000000000001',
    application_id: '800000000000000001',
    type: 2,
    token: 'interaction-token',
    version: 1,
    channel_id: '700000000000000001',
    guild_id: '600000000000000001',
    data: { id: '500000000000000001', name, type: 1 },
    member: {
      user: { id: '400000000000000001', username: 'u', discriminator: '0', global_name: 'u', avatar: null },
      roles: [],
      joined_at: '2024-01-01T00:00:00.000Z',
      deaf: false,
      mute: false,
      flags: 0,
      permissions: '0',
    },
    app_permissions: '0',
    locale: 'en-US',
    entitlements: [],
    authorizing_integration_owners: {},
    attachment_size_limit: 8388608,
    ...extra,
  };
}

export function componentInteraction(customId: string, type: 3 | 5 = 3) {
  return {
    ...commandInteraction('x'),
    type,
    data: type === 3 ? { custom_id: customId, component_type: 2 } : { custom_id: customId, components: [] },
    message: { id: '300000000000000001' },
  };
}
