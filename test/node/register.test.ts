// npm run register against the real emulator: the difference with what Discord has, then only that change
// (POST / PATCH / DELETE per command); --dry-run, --overwrite (bulk PUT) and --help. And the diff rules.
import { execFile } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../emulator/index.ts';
import { diffCommands, describeChange, normalize } from '../../scripts/lib/command-diff.ts';
import { ROOT } from '../../scripts/lib/stack.ts';
import { commands } from '../../workers/handlers/commands.ts';

describe('command diff rules', () => {
  const remote = (c: object, id = '1') => ({ id, application_id: 'a', version: '9', type: 1, ...c }) as never;

  it('treats Discord-filled defaults as equal: required false, empty options, null permissions', () => {
    const local = { name: 'x', description: 'd', options: [{ name: 'o', description: 'o', type: 3 }] };
    const theirs = remote({
      name: 'x',
      description: 'd',
      options: [{ name: 'o', description: 'o', type: 3, required: false }],
      default_member_permissions: null,
      nsfw: false,
      contexts: [0, 1, 2],
      integration_types: [0],
      description_localizations: null,
    });
    expect(diffCommands([local], [theirs])).toEqual([{ kind: 'same', name: 'x', type: 1, id: '1' }]);
  });

  it('names the changed fields, new and removed commands', () => {
    const changes = diffCommands(
      [
        { name: 'a', description: 'new text' },
        { name: 'b', description: 'b' },
        { name: 'Inspect', type: 2 },
      ],
      [remote({ name: 'a', description: 'old text' }, '1'), remote({ name: 'gone', description: 'g' }, '2')],
    );
    expect(changes.map(describeChange)).toEqual(['~ /a (description)', '+ /b', '+ Inspect (context menu)', '- /gone']);
  });

  it('normalises key order and drops empty values', () => {
    expect(normalize({ b: [], a: { z: null, y: 1 }, c: false })).toEqual({ a: { y: 1 } });
  });
});

describe('npm run register against the emulator', () => {
  let emulator: Emulator;
  // Asynchronous: the emulator answers from this process's event loop.
  const run = (...args: string[]) =>
    new Promise<{ status: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        [`${ROOT}scripts/register.ts`, ...args],
        { env: { ...process.env, DISCORD_TOKEN: emulator.token, DISCORD_API_URL: emulator.apiUrl }, timeout: 30_000 },
        (err, stdout, stderr) => resolve({ status: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
      );
    });
  const names = commands.map((c) => `/${c.name}`);
  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${emulator.apiUrl}${path}`, {
      method,
      headers: { authorization: `Bot ${emulator.token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return res.status === 204 ? undefined : ((await res.json()) as { id: string; name: string }[]);
  };

  beforeAll(async () => {
    emulator = await startEmulator({ port: 0 });
  });
  afterAll(async () => {
    await emulator?.close();
  });

  it('creates every command on the first run, then changes nothing', async () => {
    const first = await run();
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout.trim().split('\n')).toEqual([
      ...names.map((n) => `+ ${n}`),
      `applied ${names.length} change(s) globally; 0 unchanged`,
    ]);
    const before = emulator.counters().rest.byRoute;
    const second = await run();
    expect(second.stdout.trim().split('\n')).toEqual([
      ...names.map((n) => `= ${n}`),
      `up to date globally: ${names.length} command(s), nothing changed`,
    ]);
    const after = emulator.counters().rest.byRoute;
    expect(after['POST /applications/:application_id/commands']).toBe(
      before['POST /applications/:application_id/commands'],
    );
    expect(after['PATCH /applications/:application_id/commands/:command_id']).toBe(undefined);
  });

  it('edits a changed command in place (same id) and deletes one no longer defined', async () => {
    const appId = emulator.world.application.id;
    const list = (await api('GET', `/applications/${appId}/commands`))!;
    const ping = list.find((c) => c.name === 'ping')!;
    await api('PATCH', `/applications/${appId}/commands/${ping.id}`, { description: 'edited elsewhere' });
    await api('POST', `/applications/${appId}/commands`, { name: 'stale', description: 'old' });
    const dry = await run('--dry-run');
    expect(dry.stdout).toContain('~ /ping (description)\n');
    expect(dry.stdout).toContain('- /stale\n');
    expect(dry.stdout).toContain('dry run: 2 change(s) globally not applied');
    const applied = await run();
    expect(applied.stdout).toContain(`applied 2 change(s) globally; ${names.length - 1} unchanged`);
    const now = (await api('GET', `/applications/${appId}/commands`))!;
    expect(now.map((c) => c.name).sort()).toEqual(commands.map((c) => c.name).sort());
    expect(now.find((c) => c.name === 'ping')!.id).toBe(ping.id);
  });

  it('replaces the whole set with one PUT under --overwrite', async () => {
    const before = emulator.counters().rest.byRoute['PUT /applications/:application_id/commands'] ?? 0;
    const res = await run('--overwrite');
    expect(res.stdout).toContain(`overwrote globally: ${names.length} command(s)`);
    expect(emulator.counters().rest.byRoute['PUT /applications/:application_id/commands']).toBe(before + 1);
  });

  it('prints its usage with --help', async () => {
    const res = await run('--help');
    expect(res.status).toBe(0);
    expect(res.stdout.split('\n')[0]).toBe('usage: npm run register [-- options]');
  });
});
