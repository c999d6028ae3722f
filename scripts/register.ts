// `npm run register`: publishes the bot's command definitions (workers/handlers/commands.ts) to Discord, or
// to the emulator. Bulk overwrite, so the published set is exactly the file's (Discord docs, Application
// Commands > Bulk Overwrite Global / Guild Application Commands): global commands by default, one guild's
// with --guild (guild commands update at once; use them while developing).
//
//   npm run register                      # global
//   npm run register -- --guild 1234567   # one guild
//   npm run register -- --dry-run         # print what would be sent
//
// Reads DISCORD_TOKEN, DISCORD_API_URL and DISCORD_APPLICATION_ID (optional: asked from GET /applications/@me)
// from the environment or .env.
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs, parseEnv } from 'node:util';
import { commands } from '../workers/handlers/commands.ts';
import { ROOT } from './lib/stack.ts';

const { values } = parseArgs({
  options: { guild: { type: 'string' }, 'dry-run': { type: 'boolean' }, help: { type: 'boolean' } },
  strict: true,
});
if (values.help) {
  console.log('usage: npm run register [-- --guild <guild id>] [--dry-run]');
  process.exit(0);
}

const dotEnv = existsSync(`${ROOT}.env`)
  ? (parseEnv(readFileSync(`${ROOT}.env`, 'utf8')) as Record<string, string>)
  : {};
const setting = (name: string): string | undefined => process.env[name] ?? dotEnv[name];

function fail(message: string): never {
  console.error(`register: ${message}`);
  process.exit(1);
}

async function call<T>(apiUrl: string, token: string, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${apiUrl.replace(/\/$/, '')}${path}`, {
    method,
    headers: { authorization: `Bot ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (!res.ok) fail(`${method} ${path} answered ${res.status}: ${text.slice(0, 500)}`);
  return JSON.parse(text) as T;
}

async function main(): Promise<void> {
  const guild = values.guild;
  if (guild !== undefined && !/^\d{15,21}$/.test(guild))
    fail(`--guild must be a guild id (a snowflake), got ${JSON.stringify(guild)}`);
  if (values['dry-run']) {
    console.log(JSON.stringify({ scope: guild ? `guild ${guild}` : 'global', commands }, null, 2));
    return;
  }
  const token =
    setting('DISCORD_TOKEN') ??
    fail('DISCORD_TOKEN is not set (environment or .env); for the emulator, use the token it prints on its ready line');
  const apiUrl = setting('DISCORD_API_URL') ?? 'https://discord.com/api/v10';
  const applicationId =
    setting('DISCORD_APPLICATION_ID') ?? (await call<{ id: string }>(apiUrl, token, 'GET', '/applications/@me')).id;
  const path = guild
    ? `/applications/${applicationId}/guilds/${guild}/commands`
    : `/applications/${applicationId}/commands`;
  const published = await call<{ name: string; id: string }[]>(apiUrl, token, 'PUT', path, commands);
  console.log(
    `registered ${published.length} command(s) ${guild ? `in guild ${guild}` : 'globally'}: ${published.map((c) => `/${c.name}`).join(', ')}`,
  );
}

main().catch((err: unknown) => fail(err instanceof Error ? err.message : String(err)));
