// A multi-host edgeshard on one machine for the coordinator tests: the emulator, the e2e Worker (real app,
// ShardCoordinator DO with short lease timings) and any number of shard hosts in coordinator mode, each a
// separate process. Nothing of ours is replaced; the emulator is the only stand-in.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
import type { CoordinatorStatus } from '../../workers/coordinator/status.ts';
import { startLedger, type Ledger } from './ledger.ts';
import { emulatorCall } from './emu.ts';

export const LEASE_TTL_MS = 3_000;
export const STATUS_TOKEN = 'e2e-status-token-0123456789';

export interface Counters {
  identifies: number;
  identifiesByShard: Record<string, number>;
  resumes: number;
  resumesByShard: Record<string, number>;
  maxConcurrentConnections: Record<string, number>;
  openConnections: Record<string, number>;
  identifyViolations: number;
}

export interface HostProc extends Managed {
  id: string;
}

export interface Cluster {
  emulator: EmulatorProcess;
  worker: WorkerProcess;
  ledger: Ledger;
  hosts: HostProc[];
  /** EDGESHARD_SECRET of the Worker and hosts (operator commands sign with it). */
  secret: string;
  emu<T>(path: string, init?: RequestInit): Promise<T>;
  counters(): Promise<Counters>;
  status(): Promise<CoordinatorStatus>;
  startHost(id: string, env?: Record<string, string>): HostProc;
  /** Stops the Worker (and with it the coordinator); restartWorker brings it back on the same port and state. */
  stopWorker(): Promise<void>;
  restartWorker(): Promise<void>;
  /** Every shard ready, each owned by a live host. */
  allReady(shardCount: number, timeoutMs?: number): Promise<CoordinatorStatus>;
  /** Stops traffic, then waits until every MESSAGE_CREATE the emulator sent reached a handler. */
  everyMessageHandled(timeoutMs?: number): Promise<{ sent: string[]; handled: number; duplicates: number }>;
  stop(): Promise<void>;
}

/** `workerVars`: extra Worker settings, or a function of the running emulator (e.g. emulatorWebhookVars). */
export async function startCluster(
  emulatorArgs: string[],
  workerVars: Record<string, string> | ((emulator: EmulatorProcess) => Record<string, string>) = {},
): Promise<Cluster> {
  const dir = mkdtempSync(join(tmpdir(), 'edgeshard-coord-'));
  const secret = localSecret();
  const ledger = await startLedger();
  const emulator = await startEmulatorProcess(['--port', '0', ...emulatorArgs]);
  const workerOptions = {
    port: await freePort(),
    inspectorPort: await freePort(),
    persistTo: join(dir, 'wrangler'),
    config: `${ROOT}test/e2e/wrangler.e2e.toml`,
    vars: {
      EDGESHARD_SECRET: secret,
      DISCORD_TOKEN: emulator.token,
      DISCORD_API_URL: emulator.apiUrl,
      LEDGER_URL: ledger.url,
      EDGESHARD_LEASE_TTL_MS: String(LEASE_TTL_MS),
      EDGESHARD_STATUS_TOKEN: STATUS_TOKEN,
      ...(typeof workerVars === 'function' ? workerVars(emulator) : workerVars),
    },
  };
  let worker = await startWorkerProcess(workerOptions);
  const hosts: HostProc[] = [];
  const emu = emulatorCall(emulator.url);
  const status = async (): Promise<CoordinatorStatus> => {
    const res = await fetch(`${cluster.worker.url}/status.json`, {
      headers: { authorization: `Bearer ${STATUS_TOKEN}` },
    });
    if (!res.ok) throw new Error(`/status.json answered ${res.status}: ${await res.text()}`);
    return (await res.json()) as CoordinatorStatus;
  };
  const cluster: Cluster = {
    emulator,
    worker,
    ledger,
    hosts,
    secret,
    emu,
    counters: () => emu<Counters>('/_emulator/state'),
    status,
    async stopWorker() {
      await cluster.worker.stop('SIGINT');
    },
    async restartWorker() {
      worker = await startWorkerProcess(workerOptions);
      cluster.worker = worker;
    },
    startHost(id, env = {}) {
      const host = startHostProcess({
        DISCORD_TOKEN: emulator.token,
        DISCORD_API_URL: emulator.apiUrl,
        EDGESHARD_WORKER_URL: worker.url,
        EDGESHARD_SECRET: secret,
        EDGESHARD_SPOOL_DIR: join(dir, `spool-${id}`),
        EDGESHARD_METRICS_PORT: '0',

        EDGESHARD_HOST_ID: id,
        EDGESHARD_LOG_LEVEL: 'info',
        ...env,
      });
      const proc = Object.assign(host, { id });
      hosts.push(proc);
      return proc;
    },
    async allReady(shardCount, timeoutMs = 60_000) {
      return waitFor(
        `all ${shardCount} shards READY`,
        async () => {
          const s = await status();
          const live = new Set(s.hosts.filter((h) => h.live).map((h) => h.id));
          const ok =
            s.shards.length === shardCount &&
            s.shards.every(
              (sh) => sh.state === 'ready' && sh.phase === 'assigned' && sh.owner !== null && live.has(sh.owner),
            );
          return ok ? s : undefined;
        },
        { timeoutMs, intervalMs: 200 },
      );
    },
    async everyMessageHandled(timeoutMs = 45_000) {
      await emu('/_emulator/traffic', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ rate: 0 }),
      });
      let missing: { id?: string; shard?: number; seq?: number }[] = [];
      const sent = await waitFor(
        'every MESSAGE_CREATE to reach a handler',
        async () => {
          const dispatched = await emu<{ id?: string; shard?: number; seq?: number }[]>(
            '/_emulator/dispatched?type=MESSAGE_CREATE',
          );
          const ids = [...new Set(dispatched.map((d) => d.id!))];
          const handled = new Set(ledger.entries.map((e) => e.messageId));
          missing = dispatched.filter((d) => !handled.has(d.id!));
          return ids.length > 0 && missing.length === 0 ? ids : undefined;
        },
        { timeoutMs, intervalMs: 250 },
      ).catch((err: unknown) => {
        // For a post-mortem: which events never reached a handler, and what the hosts said about their shards.
        console.error(JSON.stringify({ missing }));
        for (const h of hosts)
          console.error(
            h.id,
            h.lines.filter((l) => /assigned|released|revoked|fenced|resum|stopped for handoff/.test(l)).join('\n'),
          );
        throw err;
      });
      const handled = ledger.entries.length;
      return { sent, handled, duplicates: handled - new Set(ledger.entries.map((e) => e.messageId)).size };
    },
    async stop() {
      for (const host of hosts) await host.stop('SIGTERM');
      await worker.stop('SIGINT');
      await emulator.stop('SIGINT');
      await ledger.close();
    },
  };
  return cluster;
}

/** Sum of a per-shard counter over the given shards. */
export function sumOver(record: Record<string, number>, shards: Iterable<number>): number {
  let n = 0;
  for (const s of shards) n += record[String(s)] ?? 0;
  return n;
}
