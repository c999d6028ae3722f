// The three processes of a local edgeshard: the emulator, the Worker under `wrangler dev`, and a shard
// host. `npm start` and the end-to-end tests start them the same way.
import { HOST_NODE_FLAGS } from '../../shard-host/node-flags.mjs';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnManaged, waitFor, type Managed, type SpawnOptions } from './proc.ts';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const NODE = process.execPath;

export function localSecret(): string {
  return randomBytes(32).toString('hex');
}

export interface EmulatorProcess extends Managed {
  url: string;
  apiUrl: string;
  token: string;
  /** Interactions and QQ callbacks: what the Worker needs to trust and call this emulator. */
  discordPublicKey: string;
  applicationId: string;
  qqAppId: string;
  qqAppSecret: string;
}

/** The Worker settings that point interactions and QQ Bot at a running emulator. */
export function emulatorWebhookVars(emulator: EmulatorProcess): Record<string, string> {
  return {
    DISCORD_PUBLIC_KEY: emulator.discordPublicKey,
    QQ_APP_ID: emulator.qqAppId,
    QQ_APP_SECRET: emulator.qqAppSecret,
    QQ_API_URL: `${emulator.url}/qq/api`,
    QQ_TOKEN_URL: `${emulator.url}/qq/app/getAppAccessToken`,
  };
}

/** The host settings that run QQ shards over the emulator's QQ websocket gateway (with its access tokens). */
export function emulatorQQHostVars(emulator: EmulatorProcess): Record<string, string> {
  return {
    QQ_APP_ID: emulator.qqAppId,
    QQ_APP_SECRET: emulator.qqAppSecret,
    QQ_API_URL: `${emulator.url}/qq/api`,
    QQ_TOKEN_URL: `${emulator.url}/qq/app/getAppAccessToken`,
  };
}

export async function startEmulatorProcess(args: string[], options: SpawnOptions = {}): Promise<EmulatorProcess> {
  let ready: Omit<EmulatorProcess, keyof Managed> | undefined;
  const proc = spawnManaged('emulator', NODE, [`${ROOT}emulator/bin.mjs`, ...args], {
    ...options,
    onLine: (line, stream) => {
      if (stream === 'stdout' && line.startsWith('{') && line.includes('"ready"'))
        ready = JSON.parse(line) as typeof ready;
      options.onLine?.(line, stream);
    },
  });
  const info = await waitFor('the emulator to listen', () => ready, { proc, timeoutMs: 20_000 });
  return Object.assign(proc, info);
}

export interface WorkerProcess extends Managed {
  url: string;
}

export async function startWorkerProcess(
  opts: { port: number; vars: Record<string, string>; persistTo: string; config?: string; inspectorPort?: number },
  options: SpawnOptions = {},
): Promise<WorkerProcess> {
  const args = [
    `${ROOT}node_modules/wrangler/bin/wrangler.js`,
    'dev',
    '--config',
    opts.config ?? `${ROOT}wrangler.toml`,
    '--ip',
    '127.0.0.1',
    '--port',
    String(opts.port),
    '--persist-to',
    opts.persistTo,
    '--show-interactive-dev-session=false',
    '--log-level',
    'info',
  ];
  if (opts.inspectorPort !== undefined) args.push('--inspector-port', String(opts.inspectorPort));
  // Secrets go through an env file readable only by us, not the command line that `ps` shows.
  mkdirSync(opts.persistTo, { recursive: true });
  const envFile = join(opts.persistTo, 'worker.env');
  writeFileSync(
    envFile,
    Object.entries(opts.vars)
      .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
      .join('\n') + '\n',
    { mode: 0o600 },
  );
  args.push('--env-file', envFile);
  const proc = spawnManaged('worker', NODE, args, {
    ...options,
    env: {
      WRANGLER_SEND_METRICS: 'false',
      WRANGLER_LOG: 'info',
      // Miniflare fetches https://workers.cloudflare.com/cf.json for `request.cf` at every (re)start and
      // prints a stack trace when that fails, as it does on every offline machine; its placeholder is fine.
      CLOUDFLARE_CF_FETCH_ENABLED: 'false',
      ...options.env,
    },
  });
  const url = `http://127.0.0.1:${opts.port}`;
  // Ours, not whatever else may answer on that port: `/` names the Worker (workers/app.ts).
  const answersAsEdgeshard = async () => {
    const res = await fetch(`${url}/`);
    return res.ok && ((await res.json()) as { name?: unknown }).name === 'edgeshard' ? true : undefined;
  };
  await waitFor('the Worker to answer', answersAsEdgeshard, {
    proc,
    timeoutMs: 90_000,
    intervalMs: 250,
  });
  return Object.assign(proc, { url });
}

export function startHostProcess(env: Record<string, string>, options: SpawnOptions = {}): Managed {
  return spawnManaged('shard-host', NODE, [...HOST_NODE_FLAGS, `${ROOT}shard-host/bin.mjs`], {
    ...options,
    env: { ...options.env, ...env },
  });
}
