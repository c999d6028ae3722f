// The delivery tests' system: the emulator, the e2e Worker under `wrangler dev` (stoppable and restartable
// on the same port and state), shard hosts, and a ledger gate in this process. The Worker's observing
// handler reports each MESSAGE_CREATE to the gate; the gate can fail a report (the handler then throws,
// as a real failing handler would) or hold it (a slow handler).
import { createServer } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { freePort, waitFor, type Managed } from '../../scripts/lib/proc.ts';
import {
  localSecret,
  ROOT,
  startEmulatorProcess,
  startHostProcess,
  startWorkerProcess,
  type EmulatorProcess,
  type WorkerProcess,
} from '../../scripts/lib/stack.ts';
import { scanSpoolDir, unackedRecords } from '../../shard-host/spool/scan.ts';
import type { LedgerEntry } from './ledger.ts';
import { emulatorCall } from './emu.ts';

export interface Gate {
  entries: LedgerEntry[];
  /** Reports answered 500 (the handler threw), by message id. */
  failed: string[];
  /** Fail the next report that arrives, whichever message it is. */
  failNext: number;
  delayMs: number;
}

export interface DeliverySystem {
  emulator: EmulatorProcess;
  worker: WorkerProcess;
  gate: Gate;
  secret: string;
  dir: string;
  emu<T>(path: string, init?: RequestInit): Promise<T>;
  traffic(rate: number): Promise<void>;
  stopWorker(): Promise<void>;
  restartWorker(): Promise<void>;
  startHost(spoolDir: string, env?: Record<string, string>): Promise<Managed>;
  /** MESSAGE_CREATE ids the emulator dispatched. */
  dispatchedIds(): Promise<string[]>;
  handledCounts(): Map<string, number>;
  stop(): Promise<void>;
}

/** Message ids of the MESSAGE_CREATE events a spool directory holds unacknowledged. */
export function spooledMessageIds(spoolDir: string): string[] {
  return scanSpoolDir(spoolDir).flatMap((shard) =>
    unackedRecords(shard).unacked.flatMap((r) => {
      const event = JSON.parse(r.json) as { type: string; data: { id?: string } };
      return event.type === 'MESSAGE_CREATE' && event.data.id ? [event.data.id] : [];
    }),
  );
}

export function metricValue(text: string, name: string): number {
  return text
    .split('\n')
    .filter((l) => l.startsWith(name + '{') || l.startsWith(name + ' '))
    .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
}

async function startGate(): Promise<Gate & { url: string; close(): Promise<void> }> {
  const gate: Gate = { entries: [], failed: [], failNext: 0, delayMs: 0 };
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', async () => {
      const entry = JSON.parse(body) as LedgerEntry;
      if (gate.delayMs > 0) await new Promise((r) => setTimeout(r, gate.delayMs));
      if (gate.failNext > 0) {
        gate.failNext--;
        gate.failed.push(entry.messageId);
        res.statusCode = 500;
        return res.end('failing on purpose');
      }
      gate.entries.push(entry);
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return Object.assign(gate, {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  });
}

export async function startDeliverySystem(
  emulatorArgs: string[],
  workerConfig = 'test/e2e/wrangler.e2e.toml',
): Promise<DeliverySystem> {
  const dir = mkdtempSync(join(tmpdir(), 'edgeshard-delivery-'));
  const secret = localSecret();
  const gate = await startGate();
  const emulator = await startEmulatorProcess(['--port', '0', ...emulatorArgs]);
  const workerOptions = {
    port: await freePort(),
    inspectorPort: await freePort(),
    persistTo: join(dir, 'wrangler'),
    config: `${ROOT}${workerConfig}`,
    vars: {
      EDGESHARD_SECRET: secret,
      DISCORD_TOKEN: emulator.token,
      DISCORD_API_URL: emulator.apiUrl,
      LEDGER_URL: gate.url,
    },
  };
  const hosts: Managed[] = [];
  const system: DeliverySystem = {
    emulator,
    worker: await startWorkerProcess(workerOptions),
    gate,
    secret,
    dir,
    emu: emulatorCall(emulator.url),
    async traffic(rate) {
      await system.emu('/_emulator/traffic', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ rate }),
      });
    },
    async stopWorker() {
      await system.worker.stop('SIGINT');
    },
    async restartWorker() {
      system.worker = await startWorkerProcess(workerOptions);
    },
    async startHost(spoolDir, env = {}) {
      const host = startHostProcess({
        DISCORD_TOKEN: emulator.token,
        DISCORD_API_URL: emulator.apiUrl,
        EDGESHARD_WORKER_URL: system.worker.url,
        EDGESHARD_SECRET: secret,
        EDGESHARD_SPOOL_DIR: spoolDir,
        EDGESHARD_METRICS_PORT: '0',
        // A host restarted on the same spool is the same host (as a service with a fixed name would be):
        // it takes its shards back at once instead of waiting for its old lease to expire.
        EDGESHARD_HOST_ID: basename(spoolDir),
        ...env,
      });
      hosts.push(host);
      await waitFor(
        'the shards to be READY',
        () => (host.lines.some((l) => l.includes('all shards ready')) ? true : undefined),
        { proc: host, timeoutMs: 45_000 },
      );
      return host;
    },
    async dispatchedIds() {
      const records = await system.emu<{ id?: string }[]>('/_emulator/dispatched?type=MESSAGE_CREATE');
      return records.flatMap((r) => (r.id ? [r.id] : []));
    },
    handledCounts() {
      const counts = new Map<string, number>();
      for (const e of gate.entries) counts.set(e.messageId, (counts.get(e.messageId) ?? 0) + 1);
      return counts;
    },
    async stop() {
      for (const host of hosts) await host.stop('SIGTERM');
      await system.worker.stop('SIGINT');
      await emulator.stop('SIGINT');
      await gate.close();
    },
  };
  return system;
}

/** The host's /metrics text (its port is picked at start and logged). */
export async function hostMetrics(host: Managed): Promise<string> {
  const line = host.lines.find((l) => l.includes('"msg":"metrics"'));
  if (!line) throw new Error('the host has not logged its metrics URL yet');
  const { url } = JSON.parse(line) as { url: string };
  return (await fetch(url)).text();
}
