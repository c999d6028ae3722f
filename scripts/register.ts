// `npm run register`: publishes the bot's command definitions (workers/handlers/commands.ts) to Discord, or to
// the emulator. It reads what Discord has (GET), prints the difference, and changes only that: POST for a new
// command, PATCH for a changed one, DELETE for one no longer defined (Discord docs, Application Commands >
// Create / Edit / Delete Global and Guild Application Command), so unchanged commands keep their id and
// version. `--overwrite` replaces the whole set in one bulk PUT instead. Global commands by default, one
// guild's with --guild (guild commands update at once; use them while developing).
//
// Reads DISCORD_TOKEN, DISCORD_API_URL and DISCORD_APPLICATION_ID (optional: asked from GET /applications/@me)
// from the environment or .env.
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs, parseEnv } from 'node:util';
import { commands } from '../workers/handlers/commands.ts';
import { describeChange, diffCommands, type LocalCommand, type RemoteCommand } from './lib/command-diff.ts';
import { ROOT } from './lib/stack.ts';

const USAGE = `usage: npm run register [-- options]

Publishes workers/handlers/commands.ts to Discord: shows the difference with what Discord has, then
creates, edits and deletes only the commands that differ.

  --guild <id>   one guild's commands instead of the global ones (they update at once)
  --dry-run      print the difference, change nothing
  --overwrite    replace the whole set with one bulk PUT (Bulk Overwrite Application Commands)
  --help         this text

Settings (environment or .env): DISCORD_TOKEN (required), DISCORD_API_URL (default
https://discord.com/api/v10), DISCORD_APPLICATION_ID (default: asked from GET /applications/@me).`;

const { values } = parseArgs({
  options: {
    guild: { type: 'string' },
    'dry-run': { type: 'boolean' },
    overwrite: { type: 'boolean' },
    help: { type: 'boolean' },
  },
  strict: true,
});
if (values.help) {
  console.log(USAGE);
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
  return (text === '' ? undefined : JSON.parse(text)) as T;
}

async function main(): Promise<void> {
  const guild = values.guild;
  if (guild !== undefined && !/^\d{15,21}$/.test(guild))
    fail(`--guild must be a guild id (a snowflake), got ${JSON.stringify(guild)}`);
  const token =
    setting('DISCORD_TOKEN') ??
    fail('DISCORD_TOKEN is not set (environment or .env); for the emulator, use the token it prints on its ready line');
  const apiUrl = setting('DISCORD_API_URL') ?? 'https://discord.com/api/v10';
  const applicationId =
    setting('DISCORD_APPLICATION_ID') ?? (await call<{ id: string }>(apiUrl, token, 'GET', '/applications/@me')).id;
  const path = guild
    ? `/applications/${applicationId}/guilds/${guild}/commands`
    : `/applications/${applicationId}/commands`;
  const scope = guild ? `in guild ${guild}` : 'globally';

  const remote = await call<RemoteCommand[]>(apiUrl, token, 'GET', path);
  const changes = diffCommands(commands as readonly LocalCommand[], remote);
  for (const change of changes) console.log(describeChange(change));
  const pending = changes.filter((c) => c.kind !== 'same');
  if (values['dry-run']) {
    console.log(`dry run: ${pending.length} change(s) ${scope} not applied`);
    return;
  }
  if (values.overwrite) {
    const published = await call<{ name: string }[]>(apiUrl, token, 'PUT', path, commands);
    console.log(`overwrote ${scope}: ${published.length} command(s)`);
    return;
  }
  for (const change of pending) {
    if (change.kind === 'create') await call(apiUrl, token, 'POST', path, change.command);
    else if (change.kind === 'update') await call(apiUrl, token, 'PATCH', `${path}/${change.id}`, change.command);
    else if (change.kind === 'delete') await call(apiUrl, token, 'DELETE', `${path}/${change.id}`);
  }
  console.log(
    pending.length === 0
      ? `up to date ${scope}: ${changes.length} command(s), nothing changed`
      : `applied ${pending.length} change(s) ${scope}; ${changes.length - pending.length} unchanged`,
  );
}

main().catch((err: unknown) => fail(err instanceof Error ? err.message : String(err)));
