// `npm run invite`: prints the URL that adds the bot to a server, with the scopes and permissions it needs.
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs, parseEnv } from 'node:util';
import {
  applicationIdFromToken,
  DEFAULT_PERMISSIONS,
  INVITE_SCOPES,
  inviteUrl,
  permissionBits,
} from './lib/invite-url.ts';
import { ROOT } from './lib/stack.ts';

const HELP = `usage: npm run invite [-- --app-id <id>] [--permissions <names>] [--guild <id>]

Prints the invite URL of the bot: open it, pick a server, and the bot joins with these scopes and
permissions.
  scopes       ${INVITE_SCOPES.join(', ')} (the bot user, and its slash commands in that server)
  permissions  ${DEFAULT_PERMISSIONS.join(', ')} by default; --permissions takes names from
               discord-api-types' PermissionFlagsBits, comma-separated (e.g. ViewChannel,SendMessages,AddReactions)

The application id comes from --app-id, else DISCORD_APPLICATION_ID, else the first part of DISCORD_TOKEN
(environment or .env), which is the id for every bot created since 2019. Developer Portal > your app >
General Information shows it as "Application ID".
  --guild <id>  preselect one server (and hide the server picker)
`;

const { values } = parseArgs({
  options: {
    'app-id': { type: 'string' },
    permissions: { type: 'string' },
    guild: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
  strict: true,
});
if (values.help) {
  process.stdout.write(HELP);
  process.exit(0);
}

function fail(message: string): never {
  console.error(`invite: ${message}`);
  process.exit(1);
}

const dotEnv = existsSync(`${ROOT}.env`)
  ? (parseEnv(readFileSync(`${ROOT}.env`, 'utf8')) as Record<string, string>)
  : {};
const setting = (name: string): string | undefined => process.env[name] ?? dotEnv[name];
const token = setting('DISCORD_TOKEN');
const applicationId =
  values['app-id'] ??
  setting('DISCORD_APPLICATION_ID') ??
  (token ? applicationIdFromToken(token) : undefined) ??
  fail(
    'no application id: pass --app-id <id> (Developer Portal > your app > General Information > Application ID), or set DISCORD_APPLICATION_ID or DISCORD_TOKEN',
  );
if (!/^\d{15,21}$/.test(applicationId))
  fail(`the application id must be a snowflake, got ${JSON.stringify(applicationId)}`);
if (values.guild !== undefined && !/^\d{15,21}$/.test(values.guild))
  fail(`--guild must be a guild id (a snowflake), got ${JSON.stringify(values.guild)}`);
let permissions: bigint;
try {
  permissions = permissionBits(
    values.permissions ? values.permissions.split(',').map((s) => s.trim()) : DEFAULT_PERMISSIONS,
  );
} catch (err) {
  fail((err as Error).message);
}
console.log(inviteUrl(applicationId, permissions, values.guild));
