import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../../../emulator/bin.mjs', import.meta.url));

describe('emulator CLI', () => {
  it('prints one ready JSON line, serves, and exits 0 on SIGTERM', async () => {
    const child = spawn(process.execPath, [bin, '--port', '0', '--shards', '3', '--token', 'cli-token'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines = createInterface({ input: child.stdout! });
    const [line] = (await once(lines, 'line')) as [string];
    const ready = JSON.parse(line) as {
      ready: boolean;
      url: string;
      apiUrl: string;
      gatewayUrl: string;
      token: string;
    };
    expect(ready).toMatchObject({ ready: true, token: 'cli-token' });
    expect(ready.gatewayUrl).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/gateway$/);
    const res = await fetch(`${ready.apiUrl}/gateway/bot`, { headers: { Authorization: 'Bot cli-token' } });
    expect(((await res.json()) as { shards: number }).shards).toBe(3);
    child.kill('SIGTERM');
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(0);
  });
});
