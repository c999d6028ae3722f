// Starts the emulator, the e2e Worker and one shard host as separate processes on 127.0.0.1.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, type Managed } from '../../scripts/lib/proc.ts';
import {
  emulatorWebhookVars,
  localSecret,
  ROOT,
  startEmulatorProcess,
  startHostProcess,
  startWorkerProcess,
  type EmulatorProcess,
  type WorkerProcess,
} from '../../scripts/lib/stack.ts';
import { startLedger, type Ledger } from './ledger.ts';
import { emulatorCall } from './emu.ts';

export interface System {
  emulator: EmulatorProcess;
  worker: WorkerProcess;
  hosts: Managed[];
  ledger: Ledger;
  secret: string;
  dir: string;
  emu<T>(path: string, init?: RequestInit): Promise<T>;
  startHost(env?: Record<string, string>): Managed;
  stop(): Promise<void>;
}

/** `workerConfig`: another wrangler config for the e2e Worker (the reload test generates one). */
export async function startSystem(emulatorArgs: string[], opts: { workerConfig?: string } = {}): Promise<System> {
  const dir = mkdtempSync(join(tmpdir(), 'edgeshard-e2e-'));
  const secret = localSecret();
  const ledger = await startLedger();
  // The Worker's port is chosen first, so the emulator knows where to send interactions and QQ callbacks.
  const workerPort = await freePort();
  const emulator = await startEmulatorProcess([
    '--port',
    '0',
    '--worker-url',
    `http://127.0.0.1:${workerPort}`,
    ...emulatorArgs,
  ]);
  const worker = await startWorkerProcess({
    port: workerPort,
    inspectorPort: await freePort(),
    persistTo: join(dir, 'wrangler'),
    config: opts.workerConfig ?? `${ROOT}test/e2e/wrangler.e2e.toml`,
    vars: {
      EDGESHARD_SECRET: secret,
      DISCORD_TOKEN: emulator.token,
      DISCORD_API_URL: emulator.apiUrl,
      LEDGER_URL: ledger.url,
      ...emulatorWebhookVars(emulator),
    },
  });
  const hosts: Managed[] = [];
  const system: System = {
    emulator,
    worker,
    hosts,
    ledger,
    secret,
    dir,
    emu: emulatorCall(emulator.url),
    startHost(env = {}) {
      const host = startHostProcess({
        DISCORD_TOKEN: emulator.token,
        DISCORD_API_URL: emulator.apiUrl,
        EDGESHARD_WORKER_URL: worker.url,
        EDGESHARD_SECRET: secret,
        EDGESHARD_SPOOL_DIR: join(dir, `spool-${hosts.length}`),
        EDGESHARD_METRICS_PORT: '0',
        ...env,
      });
      hosts.push(host);
      return host;
    },
    async stop() {
      for (const host of hosts) await host.stop('SIGTERM');
      await worker.stop('SIGINT');
      await emulator.stop('SIGINT');
      await ledger.close();
    },
  };
  return system;
}
