// The REST proxy against the real emulator (reached through Miniflare's outboundService, see
// scripts/lib/emulator-outbound.ts): a mixed burst with no avoidable 429, shared 429s, the invalid-request
// guard, the 401 latch, and the /api/v10 surface with its authentication.
import { env, SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { directEgress } from '../../workers/rest/egress.ts';
import { RestProxyCore } from '../../workers/rest/proxy.ts';
import { restClient } from '../../workers/rest/stub.ts';

interface Counters {
  rest: {
    requests: number;
    byRoute: Record<string, number>;
    ratelimited: { user: number; global: number; shared: number };
    invalid: number;
  };
}
interface World {
  application: { id: string };
  guilds: { id: string; channels: { id: string }[] }[];
}

const emu = async <T>(preset: string, path: string): Promise<T> =>
  (await fetch(`http://${preset}.emulator.test${path}`)).json() as Promise<T>;
const proxy = (preset: string, extra: { token?: string; invalidRequestLimit?: number } = {}) =>
  new RestProxyCore({
    apiUrl: `http://${preset}.emulator.test/api/v10`,
    egress: directEgress(extra.token ?? 'test-token'),
    globalPerSecond: 50,
    ...(extra.invalidRequestLimit ? { invalidRequestLimit: extra.invalidRequestLimit } : {}),
  });
const json = (body: unknown) => ({ body: JSON.stringify(body) });

describe('REST proxy against the emulator', () => {
  it('runs a mixed burst with zero user or global 429s and every call answered 2xx', { timeout: 60_000 }, async () => {
    const world = await emu<World>('rest', '/_emulator/world');
    const channels = world.guilds.slice(0, 4).map((g) => g.channels[0]!.id);
    const [hot, ...others] = channels as [string, ...string[]];
    const before = await emu<Counters>('rest', '/_emulator/state');
    const core = proxy('rest');
    const seed = await core.request({
      method: 'POST',
      path: `/channels/${hot}/messages`,
      ...json({ content: 'seed' }),
    });
    const messageId = (JSON.parse(seed.body) as { id: string }).id;
    const hook = JSON.parse(
      (await core.request({ method: 'POST', path: `/channels/${others[0]}/webhooks`, ...json({ name: 'burst' }) }))
        .body,
    ) as { id: string; token: string };

    const calls = [
      ...Array.from({ length: 40 }, (_, i) => ({
        method: 'POST',
        path: `/channels/${hot}/messages`,
        ...json({ content: `hot ${i}` }),
      })),
      ...others.flatMap((c) =>
        Array.from({ length: 10 }, (_, i) => ({
          method: 'POST',
          path: `/channels/${c}/messages`,
          ...json({ content: `msg ${i}` }),
        })),
      ),
      ...['👍', '🎉', '🚀', '✅', '👀', '🔥', '💯', '🙏', '😄', '🤖', '⭐', '🍕'].map((e) => ({
        method: 'PUT',
        path: `/channels/${hot}/messages/${messageId}/reactions/${encodeURIComponent(e)}/@me`,
      })),
      ...Array.from({ length: 30 }, (_, i) => ({
        method: 'POST',
        path: `/interactions/${1000000000000000000n + BigInt(i)}/tok${i}/callback`,
        ...json({ type: 4, data: { content: 'hi' } }),
      })),
      ...Array.from({ length: 10 }, (_, i) => ({
        method: 'POST',
        path: `/webhooks/${hook.id}/${hook.token}?wait=true`,
        ...json({ content: `hook ${i}` }),
      })),
    ];
    const answers = await Promise.all(calls.map((c) => core.request(c)));
    expect(answers.map((a) => a.status).filter((s) => s >= 300)).toEqual([]);

    const after = await emu<Counters>('rest', '/_emulator/state');
    expect(after.rest.ratelimited.user - before.rest.ratelimited.user).toBe(0);
    expect(after.rest.ratelimited.global - before.rest.ratelimited.global).toBe(0);
    expect(after.rest.requests - before.rest.requests).toBe(calls.length + 2);
    expect(core.stats().ratelimited).toEqual({ user: 0, global: 0, shared: 0 });
  });

  it('retries a shared-scope 429 and does not count it as an invalid request', async () => {
    const world = await emu<World>('rest', '/_emulator/world');
    const channel = world.guilds[5]!.channels[1]!.id;
    const before = await emu<Counters>('rest', '/_emulator/state');
    const core = proxy('rest');
    const [a, b] = await Promise.all([
      core.request({ method: 'PATCH', path: `/channels/${channel}`, ...json({ name: 'one' }) }),
      core.request({ method: 'PATCH', path: `/channels/${channel}`, ...json({ name: 'two' }) }),
    ]);
    expect([a.status, b.status]).toEqual([200, 200]);
    const after = await emu<Counters>('rest', '/_emulator/state');
    expect(after.rest.ratelimited.shared - before.rest.ratelimited.shared).toBe(1);
    expect(after.rest.invalid - before.rest.invalid).toBe(0);
    expect(core.stats()).toMatchObject({
      ratelimited: { shared: 1, user: 0, global: 0 },
      guard: { invalidRequests: 0 },
    });
  });

  it('trips the invalid-request guard at its threshold: no 403 past it reaches Discord', async () => {
    const world = await emu<World>('guard', '/_emulator/world');
    const guild = world.guilds[0]!.id;
    const before = await emu<Counters>('guard', '/_emulator/state');
    const core = proxy('guard', { invalidRequestLimit: 20 });
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        core.request({ method: 'PUT', path: `/guilds/${guild}/bans/${200000000000000000n + BigInt(i)}` }),
      ),
    );
    const after = await emu<Counters>('guard', '/_emulator/state');
    expect(after.rest.invalid - before.rest.invalid).toBe(20);
    expect(answers.filter((a) => a.status === 403)).toHaveLength(20);
    const shed = answers.filter((a) => a.headers['x-edgeshard-error'] === 'invalid_request_guard');
    expect(shed).toHaveLength(10);
    expect(shed[0]!.status).toBe(429);
    expect(Number(shed[0]!.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('stops calling with a token Discord rejected', async () => {
    const before = await emu<Counters>('guard', '/_emulator/state');
    const core = proxy('guard', { token: 'wrong-token' });
    expect((await core.request({ method: 'GET', path: '/users/@me' })).status).toBe(401);
    const second = await core.request({ method: 'GET', path: '/gateway/bot' });
    expect(second.status).toBe(401);
    expect(second.headers['x-edgeshard-error']).toBe('token_rejected');
    expect(JSON.parse(second.body).message).toMatch(/DISCORD_TOKEN/);
    const after = await emu<Counters>('guard', '/_emulator/state');
    expect(after.rest.requests - before.rest.requests).toBe(1);
  });
});

describe("/api/v10 on the Worker and the handlers' client", () => {
  const call = (path: string, authorization?: string, init: RequestInit = {}) =>
    SELF.fetch(`https://edgeshard.test/api/v10${path}`, {
      ...init,
      headers: { ...(authorization ? { authorization } : {}), ...(init.headers as Record<string, string>) },
    });

  it('serves the bot token and the proxy key, Discord-shaped with rate-limit headers', async () => {
    for (const auth of ['Bot test-token', 'Bot test-proxy-key', 'test-proxy-key', 'Bearer test-proxy-key']) {
      const res = await call('/users/@me', auth);
      expect(res.status).toBe(200);
      expect(res.headers.get('x-ratelimit-bucket')).toMatch(/^[0-9a-f]{16}$/);
      expect(((await res.json()) as { bot: boolean }).bot).toBe(true);
    }
  });

  it('answers 401 to any other token without calling upstream', async () => {
    const before = await emu<Counters>('wire', '/_emulator/state');
    for (const auth of [undefined, 'Bot nope', 'test-token-but-longer', '']) {
      const res = await call('/users/@me', auth);
      expect(res.status).toBe(401);
      expect(((await res.json()) as { message: string }).message).toMatch(/EDGESHARD_REST_PROXY_KEY/);
    }
    const after = await emu<Counters>('wire', '/_emulator/state');
    expect(after.rest.requests).toBe(before.rest.requests);
  });

  it('passes bodies through and refuses a too-short max wait with a Discord-shaped 429', async () => {
    const world = await emu<World>('wire', '/_emulator/world');
    const channel = world.guilds[1]!.channels[0]!.id;
    const post = (content: string, headers: Record<string, string> = {}) =>
      call(`/channels/${channel}/messages`, 'Bot test-token', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ content }),
      });
    for (let i = 0; i < 5; i++) expect((await post(`fill ${i}`)).status).toBe(200);
    const refused = await post('too late', { 'x-edgeshard-max-wait-ms': '100' });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('x-edgeshard-error')).toBe('rate_limited');
    expect(((await refused.json()) as { retry_after: number }).retry_after).toBeGreaterThan(0.1);
  });

  it('gives handlers a typed client over the Durable Object', async () => {
    const world = await emu<World>('wire', '/_emulator/world');
    const channel = world.guilds[2]!.channels[0]!.id;
    const message = await restClient(env).createMessage(channel, { content: 'from a handler' });
    expect(message.channel_id).toBe(channel);
    await restClient(env).addReaction(channel, message.id, '👍');
    await expect(
      restClient(env).request('PUT', `/guilds/${world.guilds[2]!.id}/bans/300000000000000000`),
    ).rejects.toThrow(/403/);
  });
});
