// What `npm start` checks and keeps before it starts anything: ports (over real sockets), the stable local
// token, and the refusal itself (the real script, stopped at its first check).
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadLocalState } from '../../../scripts/lib/local-state.ts';
import { portFree, portsInUse } from '../../../scripts/lib/ports.ts';
import { freePort } from '../../../scripts/lib/proc.ts';

const held: Server[] = [];
async function hold(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  held.push(server);
  return (server.address() as { port: number }).port;
}
afterEach(async () => {
  await Promise.all(held.splice(0).map((s) => new Promise((r) => s.close(r))));
});

describe('npm start, before anything starts', () => {
  it('names each taken port with the setting that moves it', async () => {
    const taken = await hold();
    const free = await freePort();
    expect(await portFree(taken)).toBe(false);
    expect(await portFree(free)).toBe(true);
    expect(
      await portsInUse([
        { port: free, setting: 'EDGESHARD_EMULATOR_PORT', what: 'emulator' },
        { port: taken, setting: 'EDGESHARD_WORKER_PORT', what: 'Worker' },
        { port: free, setting: 'EDGESHARD_METRICS_PORT', what: "shard host's /metrics" },
      ]),
    ).toEqual([
      `port ${taken} (Worker) is already in use: stop what holds it (\`ss -ltnp 'sport = :${taken}'\` shows it) or set EDGESHARD_WORKER_PORT to a free port, e.g. EDGESHARD_WORKER_PORT=${taken + 10} npm start`,
      `port ${free} is set for both the emulator (EDGESHARD_EMULATOR_PORT) and the shard host's /metrics (EDGESHARD_METRICS_PORT): give one of them another port`,
    ]);
  });

  it('keeps one emulator token per checkout, readable only by its owner', () => {
    const dir = mkdtempSync(join(tmpdir(), 'edgeshard-local-'));
    const first = loadLocalState(dir);
    expect(first.emulatorToken).toMatch(/^emulator-[0-9a-f]{24}$/);
    expect(loadLocalState(dir)).toEqual(first);
    expect(JSON.parse(readFileSync(join(dir, 'local.json'), 'utf8'))).toEqual(first);
    expect(statSync(join(dir, 'local.json')).mode & 0o777).toBe(0o600);
  });

  it('refuses to start when the Worker port is taken, and starts nothing', async () => {
    const taken = await hold();
    const [emulatorPort, metricsPort] = [await freePort(), await freePort()];
    const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = execFile(
        process.execPath,
        [new URL('../../../scripts/start.mjs', import.meta.url).pathname],
        {
          timeout: 15_000,
          env: {
            PATH: process.env.PATH,
            EDGESHARD_WORKER_PORT: String(taken),
            EDGESHARD_EMULATOR_PORT: String(emulatorPort),
            EDGESHARD_METRICS_PORT: String(metricsPort),
          },
        },
        (_err, _stdout, stderr) => resolve({ code: child.exitCode, stderr }),
      );
    });
    expect(code).toBe(1);
    expect(stderr).toContain(`port ${taken} (Worker) is already in use`);
    expect(stderr).toContain('EDGESHARD_WORKER_PORT');
    // Nothing was started: the emulator's port is still free.
    expect(await portFree(emulatorPort)).toBe(true);
  });
});
