import { afterEach, describe, expect, it } from 'vitest';
import { shardForGuild, startEmulator, type Emulator, type EmulatorOptions } from '../../../emulator/index.ts';
import { event, identify } from './client.ts';

let emu: Emulator | undefined;
afterEach(() => emu?.close());

async function start(options: EmulatorOptions = {}): Promise<Emulator> {
  emu = await startEmulator(options);
  return emu;
}

function api(e: Emulator, path: string, init: { method?: string; body?: unknown; auth?: boolean } = {}) {
  return fetch(`${e.apiUrl}${path}`, {
    method: init.method ?? 'GET',
    headers: {
      ...(init.auth === false ? {} : { Authorization: `Bot ${e.token}` }),
      ...(init.body !== undefined ? { 'Content-Type': 'application/json' } : {}),
    },
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
  });
}

describe('REST', () => {
  it('requires Authorization: Bot <token>', async () => {
    const e = await start();
    const res = await api(e, '/gateway/bot', { auth: false });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ message: '401: Unauthorized', code: 0 });
  });

  it("GET /gateway/bot and /gateway have Discord's shape", async () => {
    const e = await start({ shards: 4, maxConcurrency: 2 });
    const bot = await api(e, '/gateway/bot');
    expect(await bot.json()).toEqual({
      url: e.gatewayUrl,
      shards: 4,
      session_start_limit: { total: 1000, remaining: 1000, reset_after: 0, max_concurrency: 2 },
    });
    expect(bot.headers.get('x-ratelimit-bucket')).toMatch(/^[0-9a-f]{16}$/);
    expect(await (await api(e, '/gateway')).json()).toEqual({ url: e.gatewayUrl });
  });

  it('creates a message as the bot, records it and dispatches it to the owning shard', async () => {
    const e = await start({ shards: 2 });
    const guild = e.world.guilds.find((g) => shardForGuild(g.id, 2) === 1)!;
    const { client } = await identify(e.gatewayUrl, e.token, [1, 2], 1 | (1 << 9));
    const res = await api(e, `/channels/${guild.channels[0]!.id}/messages`, {
      method: 'POST',
      body: { content: 'pong' },
    });
    expect(res.status).toBe(200);
    const message = (await res.json()) as { id: string; content: string; author: { id: string; bot: boolean } };
    expect(message).toMatchObject({ content: 'pong', author: { id: e.world.bot.id, bot: true } });
    // The bot sees its own message's content even without MESSAGE_CONTENT.
    const dispatched = await client.next(event('MESSAGE_CREATE'));
    expect(dispatched.d).toMatchObject({ id: message.id, content: 'pong', guild_id: guild.id });
    expect(e.sentMessages().map((m) => m.id)).toEqual([message.id]);
    expect(e.counters()).toMatchObject({
      messagesSent: 1,
      rest: { byRoute: { 'POST /channels/:channel_id/messages': 1 } },
    });
    await client.close();
  });

  it('rejects empty messages (50006) and unknown channels (10003)', async () => {
    const e = await start();
    const channel = e.world.guilds[0]!.channels[0]!.id;
    const empty = await api(e, `/channels/${channel}/messages`, { method: 'POST', body: { content: '' } });
    expect(empty.status).toBe(400);
    expect(await empty.json()).toMatchObject({ code: 50006, message: 'Cannot send an empty message' });
    const unknown = await api(e, '/channels/1/messages', { method: 'POST', body: { content: 'x' } });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ code: 10003, message: 'Unknown Channel' });
  });

  it('counts down the per-channel bucket in headers and answers 429 with scope user past it', async () => {
    const e = await start({ messageLimit: { limit: 3, windowMs: 1000 } });
    const [a, b] = e.world.guilds[0]!.channels.map((c) => c.id);
    const post = (channel: string | undefined) =>
      api(e, `/channels/${channel}/messages`, { method: 'POST', body: { content: 'x' } });
    const ok = [await post(a), await post(a), await post(a)];
    expect(ok.map((r) => r.headers.get('x-ratelimit-remaining'))).toEqual(['2', '1', '0']);
    const first = ok[0]!.headers;
    expect(first.get('x-ratelimit-limit')).toBe('3');
    expect(Number(first.get('x-ratelimit-reset-after'))).toBeGreaterThan(0);
    expect(Number(first.get('x-ratelimit-reset-after'))).toBeLessThanOrEqual(1);
    expect(Number(first.get('x-ratelimit-reset')) * 1000).toBeGreaterThan(Date.now() - 1000);
    const limited = await post(a);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('x-ratelimit-scope')).toBe('user');
    expect(limited.headers.get('x-ratelimit-global')).toBeNull();
    expect(limited.headers.get('retry-after')).toBe('1');
    expect(limited.headers.get('x-ratelimit-bucket')).toBe(first.get('x-ratelimit-bucket'));
    const body = (await limited.json()) as { retry_after: number; global: boolean; message: string };
    expect(body).toMatchObject({ message: 'You are being rate limited.', global: false });
    expect(body.retry_after).toBeGreaterThan(0);
    // Another channel (major parameter) has its own bucket under the same bucket hash.
    const other = await post(b);
    expect(other.status).toBe(200);
    expect(other.headers.get('x-ratelimit-bucket')).toBe(first.get('x-ratelimit-bucket'));
    expect(e.counters().rest.ratelimited).toEqual({ user: 1, global: 0, shared: 0 });
    await new Promise((r) => setTimeout(r, Number(limited.headers.get('x-ratelimit-reset-after')) * 1000 + 20));
    expect((await post(a)).status).toBe(200);
  });

  it('applies the global limit per token with X-RateLimit-Global', async () => {
    const e = await start({ globalLimit: 5 });
    const results = [];
    for (let i = 0; i < 6; i++) results.push(await api(e, '/gateway'));
    expect(results.slice(0, 5).every((r) => r.status === 200)).toBe(true);
    const limited = results[5]!;
    expect(limited.status).toBe(429);
    expect(limited.headers.get('x-ratelimit-global')).toBe('true');
    expect(limited.headers.get('x-ratelimit-scope')).toBe('global');
    expect(limited.headers.get('retry-after')).toBe('1');
    expect(await limited.json()).toMatchObject({ global: true, message: 'You are being rate limited.' });
    expect(e.counters().rest.ratelimited.global).toBe(1);
  });
});
