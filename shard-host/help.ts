// `shard-host --help`: every setting of config.ts with its flag and default, generated so the text cannot fall
// behind the code. `settingsHelp()` is the part any usage text can include (a subcommand dispatcher's too).
import { CONFIG_NAMES, flagName } from './config.ts';

export function settingsHelp(): string {
  const width = Math.max(...Object.keys(CONFIG_NAMES).map((n) => flagName(n).length)) + 2;
  const lines = Object.entries(CONFIG_NAMES as Record<string, string | undefined>).map(
    ([name, fallback]) =>
      `  ${flagName(name).padEnd(width)}${name}${fallback === undefined ? '' : `  (default ${fallback})`}`,
  );
  return `Settings come from flags, the environment, or a .env file in the working directory (precedence in that
order); each flag is the setting's name without EDGESHARD_, lower-case, with dashes. Required:
DISCORD_TOKEN and EDGESHARD_SECRET (the Worker's); EDGESHARD_WORKER_URL for a deployed Worker.
Every setting is explained in docs/configuration.md.

settings:
${lines.join('\n')}

Metrics and health: http://127.0.0.1:<EDGESHARD_METRICS_PORT>/metrics and /healthz.
`;
}
