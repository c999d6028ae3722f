// Issue 11, hole 8: a program built on @discordjs/core + @discordjs/rest, pointed at the Worker's /api with
// EDGESHARD_REST_PROXY_KEY set once in the `headers` option, answers an interaction through the proxy: the
// callback and the follow-up are `auth: false` calls (no Authorization header), which the proxy refused
// before. The emulator signs and delivers the interaction to that program; the real Worker (wrangler dev)
// proxies its calls back to the emulator.
import { API } from '@discordjs/core/http-only';
import { REST } from '@discordjs/rest';
import type { APIInteraction } from 'discord-api-types/v10';
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../emulator/index.ts';
import { freePort } from '../../scripts/lib/proc.ts';
import { localSecret, ROOT, startWorkerProcess, type WorkerProcess } from '../../scripts/lib/stack.ts';

const PROXY_KEY = 'e2e-proxy-key-for-djs-0123456789';
/** workers/routes/rest.ts PROXY_KEY_HEADER (not imported: the Worker's modules need the Workers types). */
const PROXY_KEY_HEADER = 'X-Edgeshard-Proxy-Key';

interface InteractionRecord {
  id: string;
  status: number;
  callback?: { type: number; data?: { content?: string } };
  original?: { content: string };
  followUps: { content: string }[];
}

describe('@discordjs/core through /api/v10 with the proxy key header', () => {
  let emulator: Emulator;
  let worker: WorkerProcess;
  let bot: Server;
  const errors: unknown[] = [];

  const emu = async <T>(path: string, init?: RequestInit): Promise<T> =>
    (await fetch(`${emulator.url}/_emulator${path}`, init)).json() as Promise<T>;

  beforeAll(async () => {
    emulator = await startEmulator({ token: 'e2e-djs-bot-token' });
    worker = await startWorkerProcess({
      port: await freePort(),
      inspectorPort: await freePort(),
      persistTo: join(mkdtempSync(join(tmpdir(), 'edgeshard-djs-e2e-')), 'wrangler'),
      config: `${ROOT}test/e2e/wrangler.e2e.toml`,
      vars: {
        EDGESHARD_SECRET: localSecret(),
        DISCORD_TOKEN: emulator.token,
        DISCORD_API_URL: emulator.apiUrl,
        EDGESHARD_REST_PROXY_KEY: PROXY_KEY,
        LEDGER_URL: 'http://127.0.0.1:1/',
      },
    });
    // The program: the key set once for every call; no bot token of its own.
    const rest = new REST({
      api: `${worker.url}/api`,
      version: '10',
      retries: 0,
      headers: { [PROXY_KEY_HEADER]: PROXY_KEY },
    });
    const api = new API(rest);
    bot = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const interaction = JSON.parse(body) as APIInteraction;
        void (async () => {
          await api.interactions.reply(interaction.id, interaction.token, { content: 'pong via the proxy' });
          await api.interactions.followUp(interaction.application_id, interaction.token, {
            content: 'and a follow-up',
          });
        })()
          .catch((err: unknown) => errors.push(err))
          .finally(() => {
            res.writeHead(202, { 'content-type': 'application/json' });
            res.end('{}');
          });
      });
    });
    await new Promise<void>((resolve) => bot.listen(0, '127.0.0.1', resolve));
    await emu('/webhook-target', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url: `http://127.0.0.1:${(bot.address() as AddressInfo).port}` }),
    });
  });

  afterAll(async () => {
    await new Promise((resolve) => bot?.close(resolve));
    await worker?.stop('SIGINT');
    await emulator?.close();
  });

  it('replies to an interaction and follows up through the proxy', async () => {
    const record = await emu<InteractionRecord>('/interactions', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'ping' }),
    });
    expect(errors).toEqual([]);
    expect(record.status).toBe(202);
    const all = await emu<InteractionRecord[]>('/interactions');
    const done = all.find((r) => r.id === record.id)!;
    expect(done.callback).toEqual({ type: 4, data: { content: 'pong via the proxy' } });
    expect(done.original?.content).toBe('pong via the proxy');
    expect(done.followUps.map((m) => m.content)).toEqual(['and a follow-up']);
  });

  it('still refuses a client with a wrong key, before anything reaches the emulator', async () => {
    const before = emulator.counters().rest.requests;
    const stranger = new API(
      new REST({ api: `${worker.url}/api`, version: '10', retries: 0, headers: { [PROXY_KEY_HEADER]: 'wrong-key' } }),
    );
    await expect(stranger.interactions.reply('1', 'token', { content: 'x' })).rejects.toMatchObject({ status: 401 });
    expect(emulator.counters().rest.requests).toBe(before);
  });
});
