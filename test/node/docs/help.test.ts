// `--help` on every command: it exits 0 and names every setting or flag the code reads.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONFIG_NAMES, flagName } from '../../../shard-host/config.ts';
import { settingsHelp } from '../../../shard-host/help.ts';

const root = new URL('../../../', import.meta.url);
const run = (script: string, ...args: string[]) =>
  execFileSync(process.execPath, [new URL(script, root).pathname, ...args], { encoding: 'utf8', timeout: 15_000 });

describe('--help', () => {
  it('shard-host lists every setting with its flag', () => {
    const settings = settingsHelp();
    const missing = Object.keys(CONFIG_NAMES).filter(
      (n) => !settings.includes(`${flagName(n)}`) || !settings.includes(n),
    );
    expect(missing).toEqual([]);
    // Whatever else the command's usage says (subcommands), it includes the settings.
    expect(run('shard-host/bin.mjs', '--help').includes(settings)).toBe(true);
  });

  it('edgeshard-emulator lists every flag its parser accepts', () => {
    const help = run('emulator/bin.mjs', '--help');
    const source = readFileSync(new URL('emulator/main.ts', root), 'utf8');
    const block = /const FLAGS = \{([\s\S]*?)\} as const/.exec(source)![1]!;
    const flags = [...block.matchAll(/^\s*'?([a-z-]+)'?: \{ type/gm)].map((m) => m[1]!);
    expect([flags.includes('port'), flags.includes('qq-app-secret')]).toEqual([true, true]); // the parse found the table
    expect(flags.filter((f) => !help.includes(`--${f} `))).toEqual([]);
  });

  it('npm run register and npm run invite answer --help', () => {
    expect(run('scripts/register.ts', '--help')).toMatch(/^usage: npm run register/);
    expect(run('scripts/invite.ts', '--help')).toMatch(/^usage: npm run invite/);
  });
});
