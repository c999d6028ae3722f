// CLI entry: parses flags (or EMULATOR_* environment variables), starts the emulator and prints one JSON line
// on stdout once listening, so a parent process can read the URLs. Logs go to stderr.
import { parseArgs } from 'node:util';
import type { WebhookOptions } from './interactions/mount.ts';
import type { EmulatorOptions } from './options.ts';
import { startEmulator } from './server.ts';

const FLAGS = {
  port: { type: 'string' },
  host: { type: 'string' },
  token: { type: 'string' },
  shards: { type: 'string' },
  'max-concurrency': { type: 'string' },
  guilds: { type: 'string' },
  rate: { type: 'string' },
  seed: { type: 'string' },
  'identify-window-ms': { type: 'string' },
  'heartbeat-interval-ms': { type: 'string' },
  // Where signed interactions and QQ callbacks go; the QQ secret is better passed as EMULATOR_QQ_APP_SECRET.
  'worker-url': { type: 'string' },
  'qq-app-id': { type: 'string' },
  'qq-app-secret': { type: 'string' },
  'session-start-total': { type: 'string' },
  'session-timeout-ms': { type: 'string' },
  'resume-buffer-size': { type: 'string' },
  'guilds-per-shard-limit': { type: 'string' },
} as const;

function log(msg: string, fields: Record<string, unknown> = {}): void {
  process.stderr.write(`${JSON.stringify({ t: new Date().toISOString(), level: 'info', msg, ...fields })}\n`);
}

function number(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value)) throw new Error(`--${name} must be a number (got ${JSON.stringify(raw)})`);
  return value;
}

function optionsFrom(argv: string[], env: NodeJS.ProcessEnv): EmulatorOptions & WebhookOptions {
  const { values } = parseArgs({ args: argv, options: FLAGS, strict: true });
  const pick = (flag: keyof typeof FLAGS): string | undefined =>
    values[flag] ?? env[`EMULATOR_${flag.toUpperCase().replaceAll('-', '_')}`];
  const options: EmulatorOptions & WebhookOptions = { port: number('port', pick('port')) ?? 8790 };
  const set = <K extends keyof (EmulatorOptions & WebhookOptions)>(
    key: K,
    value: (EmulatorOptions & WebhookOptions)[K] | undefined,
  ) => {
    if (value !== undefined) options[key] = value;
  };
  set('host', pick('host'));
  set('token', pick('token'));
  set('shards', number('shards', pick('shards')));
  set('maxConcurrency', number('max-concurrency', pick('max-concurrency')));
  set('guilds', number('guilds', pick('guilds')));
  set('messageRate', number('rate', pick('rate')));
  set('seed', number('seed', pick('seed')));
  set('identifyWindowMs', number('identify-window-ms', pick('identify-window-ms')));
  set('heartbeatIntervalMs', number('heartbeat-interval-ms', pick('heartbeat-interval-ms')));
  set('sessionStartTotal', number('session-start-total', pick('session-start-total')));
  set('sessionTimeoutMs', number('session-timeout-ms', pick('session-timeout-ms')));
  set('resumeBufferSize', number('resume-buffer-size', pick('resume-buffer-size')));
  set('guildsPerShardLimit', number('guilds-per-shard-limit', pick('guilds-per-shard-limit')));
  set('workerUrl', pick('worker-url'));
  set('qqAppId', pick('qq-app-id'));
  set('qqAppSecret', pick('qq-app-secret'));
  return options;
}

async function main(): Promise<void> {
  let options: EmulatorOptions & WebhookOptions;
  try {
    options = optionsFrom(process.argv.slice(2), process.env);
  } catch (err) {
    process.stderr.write(`edgeshard-emulator: ${(err as Error).message}\n`);
    process.exit(2);
  }
  const emulator = await startEmulator(options);
  process.stdout.write(
    `${JSON.stringify({ ready: true, url: emulator.url, apiUrl: emulator.apiUrl, gatewayUrl: emulator.gatewayUrl, token: emulator.token, ...emulator.webhooks() })}\n`,
  );
  log('emulator listening', { url: emulator.url, shards: options.shards ?? 2, guilds: emulator.world.guilds.length });
  const shutdown = (signal: string) => {
    log('emulator stopping', { signal });
    emulator.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((err: unknown) => {
  process.stderr.write(`edgeshard-emulator: ${(err as Error).message ?? String(err)}\n`);
  process.exit(1);
});
