// `npm start`: the whole system on one machine. Without DISCORD_TOKEN: the emulator, the Worker under
// `wrangler dev`, and one shard host, with local secrets generated on the fly; lines typed here are said
// by a simulated user and the bot's replies are printed. With DISCORD_TOKEN: the Worker and a shard host
// against Discord itself.
import { createInterface } from 'node:readline';
import { parseEnv } from 'node:util';
import { existsSync, readFileSync } from 'node:fs';
import type { Managed } from './lib/proc.ts';
import {
  emulatorWebhookVars,
  localSecret,
  ROOT,
  startEmulatorProcess,
  startHostProcess,
  startWorkerProcess,
  type EmulatorProcess,
} from './lib/stack.ts';

const dotEnv = existsSync(`${ROOT}.env`)
  ? (parseEnv(readFileSync(`${ROOT}.env`, 'utf8')) as Record<string, string>)
  : {};
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
  const world = (await (await fetch(`${emulator.url}/_emulator/world`)).json()) as {
    guilds: { id: string; name: string; channels: { id: string; name: string }[] }[];
  };
  const guild = world.guilds[0]!;
  const channel = guild.channels[0]!;
  let seen = ((await (await fetch(`${emulator.url}/_emulator/messages`)).json()) as unknown[]).length;
  console.log(
    `\nType a message and press Enter: a simulated user says it in #${channel.name} of "${guild.name}". Try !ping`,
  );
  console.log('  /ping        runs the slash command (a signed interaction to the Worker)');
  console.log('  qq: hello    @-mentions the bot in a QQ group (a signed QQ callback)');
  const rl = createInterface({ input: process.stdin });
  rl.on('line', (content) => {
    if (!content.trim()) return;
    if (content.trim().startsWith('/') || content.startsWith('qq:')) {
      void webhookLine(emulator, channel.id, content.trim());
      return;
    }
    void fetch(`${emulator.url}/_emulator/say`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ channel_id: channel.id, content }),
    });
  });
  setInterval(async () => {
    try {
      const messages = (await (await fetch(`${emulator.url}/_emulator/messages`)).json()) as {
        content: string;
        channel_id: string;
      }[];
      for (const m of messages.slice(seen)) console.log(`bot › ${m.content}`);
      seen = messages.length;
    } catch {
      /* emulator stopping */
    }
  }, 250).unref();
}

/** `/name` sends a slash command, `qq: text` a QQ group @-message; the bot's answers are printed. */
async function webhookLine(emulator: EmulatorProcess, channelId: string, line: string): Promise<void> {
  const post = (path: string, body: unknown) =>
    fetch(`${emulator.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    }).then(async (r) => ({ ok: r.ok, json: (await r.json()) as Record<string, unknown> }));
  try {
    if (line.startsWith('qq:')) {
      const before = ((await (await fetch(`${emulator.url}/_emulator/qq/messages`)).json()) as unknown[]).length;
      const { ok, json } = await post('/_emulator/qq/say', { content: line.slice(3).trim() || 'hello' });
      if (!ok) return console.log(`qq › ${String(json.error)}`);
      const sent = (await (await fetch(`${emulator.url}/_emulator/qq/messages`)).json()) as { content: string }[];
      for (const m of sent.slice(before)) console.log(`qq bot › ${m.content}`);
      if (sent.length === before)
        console.log(`qq › no reply (the Worker answered ${String((json.event as { status?: number }).status)})`);
      return;
    }
    const { ok, json } = await post('/_emulator/interactions', {
      name: line.slice(1).split(/\s+/)[0],
      channel_id: channelId,
    });
    if (!ok) return console.log(`interaction › ${String(json.error)}`);
    const response = json.response as { type?: number; data?: { content?: string; flags?: number } } | undefined;
    // Non-ephemeral replies also show up as channel messages (printed by the poller below).
    if (response?.data?.flags && response.data.content) console.log(`bot (only you) › ${response.data.content}`);
    else if (response?.type === 5) console.log('bot › (thinking…)');
  } catch (err) {
    console.log(`› ${err instanceof Error ? err.message : String(err)}`);
  }
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
    emulator = await startEmulatorProcess(
      [
        '--port',
        String(emulatorPort),
        '--token',
        `emulator-${localSecret().slice(0, 24)}`,
        '--worker-url',
        `http://127.0.0.1:${workerPort}`,
      ],
      { echo: false },
    );
    running.push(emulator);
    watchExit(emulator);
    apiUrl = emulator.apiUrl;
    botToken = emulator.token;
  }

  const worker = await startWorkerProcess(
    {
      port: workerPort,
      persistTo: `${state}wrangler`,
      vars: {
        EDGESHARD_SECRET: secret,
        DISCORD_TOKEN: botToken!,
        DISCORD_API_URL: apiUrl,
        ...(emulator ? emulatorWebhookVars(emulator) : {}),
      },
    },
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
