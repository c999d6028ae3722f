// GET /gateway/bot from the host (shard-host/gateway-info.ts) against a local server: what it sends and
// how it names each failure.
import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DISCORD_USER_AGENT, EDGESHARD_VERSION, fetchGatewayBot } from '../../../shard-host/gateway-info.ts';

const BOT = { url: 'wss://gateway.discord.gg', shards: 2, session_start_limit: { total: 1000, remaining: 999 } };
let server: Server;
let api: string;
let seen: IncomingHttpHeaders | undefined;
let answer: [status: number, body: string] = [200, JSON.stringify(BOT)];

beforeAll(async () => {
  server = createServer((req, res) => {
    seen = req.headers;
    res.statusCode = answer[0];
    res.end(answer[1]);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  api = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v10`;
});

afterAll(() => server.close());

describe('fetchGatewayBot', () => {
  it('sends the bot token and a Discord user agent, and returns the answer', async () => {
    answer = [200, JSON.stringify(BOT)];
    expect(await fetchGatewayBot(api, 'tok')).toEqual(BOT);
    expect(seen?.authorization).toBe('Bot tok');
    expect(seen?.['user-agent']).toBe(DISCORD_USER_AGENT);
    expect(DISCORD_USER_AGENT).toBe(`DiscordBot (edgeshard, ${EDGESHARD_VERSION})`);
  });

  it("names package.json's version (change EDGESHARD_VERSION with it)", () => {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    expect(EDGESHARD_VERSION).toBe(pkg.version);
  });

  it('names the fix when Discord refuses the token', async () => {
    answer = [401, '{"message": "401: Unauthorized", "code": 0}'];
    await expect(fetchGatewayBot(api, 'bad')).rejects.toThrow(/DISCORD_TOKEN \(401\)/);
  });

  it('reports another status with the start of the body', async () => {
    answer = [502, 'bad gateway'];
    await expect(fetchGatewayBot(api, 'tok')).rejects.toThrow(/answered 502: bad gateway/);
  });

  it('names the setting when the API cannot be reached', async () => {
    await expect(fetchGatewayBot('http://127.0.0.1:1/api/v10', 'tok')).rejects.toThrow(
      /cannot reach .*check DISCORD_API_URL/,
    );
  });
});
