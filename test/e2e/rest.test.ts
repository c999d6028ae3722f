// The REST proxy in the real Worker under `wrangler dev`, in front of the emulator: @discordjs/rest pointed
// at /api sends real requests that succeed, and a mixed burst through /api/v10 finishes without a single
// user or global 429 at the emulator.
import { REST } from '@discordjs/rest';
import { Routes, type APIMessage, type APIUser } from 'discord-api-types/v10';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../emulator/index.ts';
import { freePort } from '../../scripts/lib/proc.ts';
import { localSecret, ROOT, startWorkerProcess, type WorkerProcess } from '../../scripts/lib/stack.ts';

const PROXY_KEY = 'e2e-proxy-key-0123456789';

describe('REST proxy through wrangler dev', () => {
  let emulator: Emulator;
  let worker: WorkerProcess;

  beforeAll(async () => {
    // Discord's limits compressed tenfold in time: 5 messages per 500 ms per channel.
    emulator = await startEmulator({ token: 'e2e-bot-token', messageLimit: { limit: 5, windowMs: 500 } });
    worker = await startWorkerProcess({
      port: await freePort(),
      inspectorPort: await freePort(),
      persistTo: join(mkdtempSync(join(tmpdir(), 'edgeshard-rest-e2e-')), 'wrangler'),
      config: `${ROOT}test/e2e/wrangler.e2e.toml`,
      vars: {
        EDGESHARD_SECRET: localSecret(),
        DISCORD_TOKEN: emulator.token,
        DISCORD_API_URL: emulator.apiUrl,
        EDGESHARD_REST_PROXY_KEY: PROXY_KEY,
        LEDGER_URL: 'http://127.0.0.1:1/',
      },
    });
  });

  afterAll(async () => {
    await worker?.stop('SIGINT');
    await emulator?.close();
  });

  it('serves @discordjs/rest unchanged (api option), with the proxy key as its token', async () => {
    const rest = new REST({ api: `${worker.url}/api`, version: '10', retries: 0 }).setToken(PROXY_KEY);
    const me = (await rest.get(Routes.user('@me'))) as APIUser;
    expect(me.bot).toBe(true);
    const channel = emulator.world.guilds[0]!.channels[0]!.id;
    const sent = (await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        rest.post(Routes.channelMessages(channel), { body: { content: `djs ${i}` } }),
      ),
    )) as APIMessage[];
    expect(sent.map((m) => m.content).sort()).toEqual(Array.from({ length: 12 }, (_, i) => `djs ${i}`).sort());
    await rest.put(Routes.channelMessageOwnReaction(channel, sent[0]!.id, '👍'));
    expect(emulator.counters().rest.ratelimited).toEqual({ user: 0, global: 0, shared: 0 });
    // Another token is refused before anything reaches Discord.
    const before = emulator.counters().rest.requests;
    const stranger = new REST({ api: `${worker.url}/api`, version: '10', retries: 0 }).setToken('not-our-token');
    await expect(stranger.get(Routes.user('@me'))).rejects.toMatchObject({ status: 401 });
    expect(emulator.counters().rest.requests).toBe(before);
  });

  it('runs a mixed burst with zero user or global 429s and the global limit kept in every second', async () => {
    const channels = emulator.world.guilds.slice(1, 7).map((g) => g.channels[0]!.id);
    const [hot, ...others] = channels as [string, ...string[]];
    const before = emulator.counters().rest;
    const call = (method: string, path: string, body?: unknown) =>
      fetch(`${worker.url}/api/v10${path}`, {
        method,
        headers: {
          authorization: `Bot ${emulator.token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    const seed = (await (await call('POST', `/channels/${hot}/messages`, { content: 'seed' })).json()) as APIMessage;
    const requests = [
      ...Array.from({ length: 60 }, (_, i) => ['POST', `/channels/${hot}/messages`, { content: `hot ${i}` }] as const),
      ...others.flatMap((c) =>
        Array.from({ length: 25 }, (_, i) => ['POST', `/channels/${c}/messages`, { content: `m ${i}` }] as const),
      ),
      ...Array.from(
        { length: 12 },
        (_, i) =>
          [
            'PUT',
            `/channels/${hot}/messages/${seed.id}/reactions/${encodeURIComponent(String.fromCodePoint(0x1f600 + i))}/@me`,
            undefined,
          ] as const,
      ),
      ...Array.from(
        { length: 40 },
        (_, i) =>
          [
            'POST',
            `/interactions/${1100000000000000000n + BigInt(i)}/t${i}/callback`,
            { type: 4, data: { content: 'ok' } },
          ] as const,
      ),
    ];
    const statuses = await Promise.all(requests.map(async ([m, p, b]) => (await call(m, p, b)).status));
    expect(statuses.filter((s) => s >= 300)).toEqual([]);
    const after = emulator.counters().rest;
    // The emulator checks the global limit over a sliding second: zero global 429s means it held in every one.
    expect(after.ratelimited.global - before.ratelimited.global).toBe(0);
    expect(after.ratelimited.user - before.ratelimited.user).toBe(0);
    expect(after.requests - before.requests).toBe(requests.length + 1);
  });
});
