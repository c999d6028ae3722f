// `npm start`: the whole system on one machine. Without DISCORD_TOKEN: the emulator, the Worker under
// `wrangler dev`, and one shard host, with local secrets generated on the fly; lines typed here are said
// by a simulated user and the bot's replies are printed. With DISCORD_TOKEN: the Worker and a shard host
// against Discord itself.
import { createInterface } from 'node:readline';
import { parseEnv } from 'node:util';
import { existsSync, readFileSync } from 'node:fs';
import type { Managed } from './lib/proc.ts';
import { localSecret, ROOT, startEmulatorProcess, startHostProcess, startWorkerProcess, type EmulatorProcess } from './lib/stack.ts';

const dotEnv = existsSync(`${ROOT}.env`) ? (parseEnv(readFileSync(`${ROOT}.env`, 'utf8')) as Record<string, string>) : {};
const setting = (name: string): string | undefined => process.env[name] ?? dotEnv[name];

const workerPort = Number(setting('EDGESHARD_WORKER_PORT') ?? 8787);
const emulatorPort = Number(setting('EDGESHARD_EMULATOR_PORT') ?? 8790);
const running: Managed[] = [];
let stopping = false;

async function stopAll(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    console.log('\nstopping…');
    // Host first (it closes its shards resumably and flushes its spool), then the Worker, then the emulator.
    for (const proc of [...running].reverse()) await proc.stop('SIGINT', 8000);
  }
  process.exit(code);
}
process.on('SIGINT', () => void stopAll(0));
process.on('SIGTERM', () => void stopAll(0));

function watchExit(proc: Managed): void {
  void proc.exited.then((code) => {
    if (!stopping) {
      console.error(`[${proc.name}] exited with code ${code}; stopping everything`);
      void stopAll(1);
    }
  });
}

async function chat(emulator: EmulatorProcess): Promise<void> {
  const world = (await (await fetch(`${emulator.url}/_emulator/world`)).json()) as { guilds: { id: string; name: string; channels: { id: string; name: string }[] }[] };
  const guild = world.guilds[0]!;
  const channel = guild.channels[0]!;
  let seen = ((await (await fetch(`${emulator.url}/_emulator/messages`)).json()) as unknown[]).length;
  console.log(`\nType a message and press Enter: a simulated user says it in #${channel.name} of "${guild.name}". Try !ping`);
  const rl = createInterface({ input: process.stdin });
  rl.on('line', (content) => {
    if (!content.trim()) return;
    void fetch(`${emulator.url}/_emulator/say`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ channel_id: channel.id, content }) });
  });
  setInterval(async () => {
    try {
      const messages = (await (await fetch(`${emulator.url}/_emulator/messages`)).json()) as { content: string; channel_id: string }[];
      for (const m of messages.slice(seen)) console.log(`bot › ${m.content}`);
      seen = messages.length;
    } catch {
      /* emulator stopping */
    }
  }, 250).unref();
}

async function main(): Promise<void> {
  const token = setting('DISCORD_TOKEN');
  const secret = setting('EDGESHARD_SECRET') ?? localSecret();
  const state = `${ROOT}.edgeshard/`;
  let emulator: EmulatorProcess | undefined;
  let apiUrl = setting('DISCORD_API_URL') ?? 'https://discord.com/api/v10';
  let botToken = token;

  if (!token) {
    console.log('No DISCORD_TOKEN: running against the local emulator.');
    emulator = await startEmulatorProcess(['--port', String(emulatorPort), '--token', `emulator-${localSecret().slice(0, 24)}`], { echo: false });
    running.push(emulator);
    watchExit(emulator);
    apiUrl = emulator.apiUrl;
    botToken = emulator.token;
  }

  const worker = await startWorkerProcess(
    { port: workerPort, persistTo: `${state}wrangler`, vars: { EDGESHARD_SECRET: secret, DISCORD_TOKEN: botToken!, DISCORD_API_URL: apiUrl } },
    { echo: true },
  );
  running.push(worker);
  watchExit(worker);

  const host = startHostProcess(
    {
      DISCORD_TOKEN: botToken!,
      DISCORD_API_URL: apiUrl,
      EDGESHARD_WORKER_URL: worker.url,
      EDGESHARD_SECRET: secret,
      EDGESHARD_SPOOL_DIR: `${state}spool`,
    },
    { echo: true },
  );
  running.push(host);
  watchExit(host);

  console.log(`\nedgeshard is up:
  Worker       ${worker.url}   (handlers in workers/handlers/, reloaded on save)
  shard host   logs above, prefixed [shard-host]
  ${emulator ? `emulator     ${emulator.url}   (state: ${emulator.url}/_emulator/state)` : `Discord      ${apiUrl}`}
Ctrl-C stops everything.`);
  if (emulator) await chat(emulator);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  void stopAll(1);
});
