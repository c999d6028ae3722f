// The `shard-host` subcommands. Without one, `shard-host` runs a host (main.ts); bin.mjs dispatches.
import { settingsHelp } from '../help.ts';
import { DEAD_LETTERS_HELP, deadLettersCommand, type CommandIo } from './dead-letters.ts';

export interface Command {
  summary: string;
  help: string;
  run: (argv: readonly string[], env: NodeJS.ProcessEnv, io: CommandIo) => Promise<number>;
}

export const COMMANDS: Record<string, Command> = {
  'dead-letters': {
    summary: 'list dead-lettered events; --replay re-delivers them to the Worker',
    help: DEAD_LETTERS_HELP,
    run: deadLettersCommand,
  },
};

export const USAGE = `Usage: shard-host [--<setting> VALUE ...]        run a shard host
       shard-host <command> [options]

Runs a shard host: it holds the gateway sessions of the bot's shards it leases from the Worker's coordinator
and forwards every event, in signed batches, to the Worker. SIGINT/SIGTERM close its shards resumably.

Commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(14)} ${c.summary}`)
  .join('\n')}
shard-host <command> --help shows a command's options.

${settingsHelp()}`;

const HELP = new Set(['--help', '-h', 'help']);

/** Whether `shard-host <first>` is a subcommand (or a request for help) rather than a host's settings. */
export function isCommand(first: string | undefined): boolean {
  return first !== undefined && (HELP.has(first) || Object.hasOwn(COMMANDS, first));
}

/** Runs `argv[0]` as a command (or prints the usage for --help); returns the exit code. */
export async function runCommand(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const io: CommandIo = { out: (t) => process.stdout.write(t + '\n'), err: (t) => process.stderr.write(t + '\n') };
  const [name, ...rest] = argv;
  const command = name !== undefined && Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) {
    io.out(USAGE);
    return name !== undefined && HELP.has(name) ? 0 : 2;
  }
  return command.run(rest, env, io);
}
