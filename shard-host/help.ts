// `shard-host --help`: the commands, then every setting of config.ts with its flag and default, so the text
// cannot fall behind the code. Other commands add their line to COMMANDS.
import { CONFIG_NAMES, flagName } from './config.ts';

/** One line per command; extend here when a subcommand is added to bin.mjs. */
export const COMMANDS: readonly (readonly [usage: string, what: string])[] = [
  ['shard-host [--flag value …]', 'run a shard host (stops on SIGINT/SIGTERM, closing its shards resumably)'],
  ['shard-host --help', 'this text'],
];

export function hostHelp(): string {
  const width = Math.max(...Object.keys(CONFIG_NAMES).map((n) => flagName(n).length)) + 2;
  const settings = Object.entries(CONFIG_NAMES).map(
    ([name, fallback]) =>
      `  ${flagName(name).padEnd(width)}${name}${fallback === undefined ? '' : `  (default ${fallback})`}`,
  );
  const commands = COMMANDS.map(([usage, what]) => `  npx ${usage}\n      ${what}`);
  return `usage:
${commands.join('\n')}

A shard host holds the gateway sessions of a bot's shards and forwards every event, in signed batches, to
the edgeshard Worker. Settings come from flags, the environment, or a .env file in the working directory
(precedence in that order); each flag is the setting's name without EDGESHARD_, lower-case, with dashes.
Required: DISCORD_TOKEN and EDGESHARD_SECRET (the Worker's); EDGESHARD_WORKER_URL for a deployed Worker.

settings:
${settings.join('\n')}

Metrics and health: http://127.0.0.1:<EDGESHARD_METRICS_PORT>/metrics and /healthz.
Every setting is explained in docs/configuration.md.
`;
}
