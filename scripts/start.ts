// `npm start`: the whole system on one machine. Without DISCORD_TOKEN: the emulator, the Worker under
// `wrangler dev`, and one shard host, with local secrets generated on the fly; lines typed here are said
// by a simulated user and the bot's replies are printed. With DISCORD_TOKEN: the Worker and a shard host
// against Discord itself.
import { createInterface } from 'node:readline';
import { parseEnv } from 'node:util';
import { existsSync, readFileSync } from 'node:fs';
import { loadLocalState } from './lib/local-state.ts';
import { portsInUse, type PortUse } from './lib/ports.ts';
import type { Managed } from './lib/proc.ts';
import {
  emulatorWebhookVars,
  localSecret,
  ROOT,
  startEmulatorProcess,
  emulatorQQHostVars,
  startHostProcess,
  startWorkerProcess,
  type EmulatorProcess,
} from './lib/stack.ts';

const dotEnv = existsSync(`${ROOT}.env`)
  ? (parseEnv(readFileSync(`${ROOT}.env`, 'utf8')) as Record<string, string>)
  : {};
const setting = (name: string): string | undefined => process.env[name] ?? dotEnv[name];

if (process.argv.includes('--help') || process.argv.includes('-h')) {
  console.log(`usage: npm start

Without DISCORD_TOKEN: the emulator, the Worker under \`wrangler dev\` and a shard host, all on this machine;
the host runs the emulator's Discord and QQ shards. Lines you type are said by a simulated user:
  !ping           in a Discord channel (over the gateway)
  /ping           the slash command (a signed interaction to the Worker)
  qq: hello       @-mentions the QQ bot in a group, by signed webhook callback
  qq/ws: hello    the same over the QQ websocket gateway (a QQ shard of the host)
With DISCORD_TOKEN (environment or .env): the Worker and a shard host against Discord itself (and QQ too
when QQ_APP_ID and QQ_APP_SECRET are set). Ctrl-C stops everything.

Settings (environment or .env):
  EDGESHARD_WORKER_PORT     the Worker's port (wrangler dev)          default 8787
  EDGESHARD_EMULATOR_PORT   the emulator's port                       default 8790
  EDGESHARD_METRICS_PORT    the shard host's /metrics and /healthz    default 9464
  EDGESHARD_STATUS_TOKEN    the status page's token                   default: a new one each run
  EDGESHARD_LOG_FORMAT      the host's logs: pretty or json           default: pretty in a terminal
and every shard host setting (docs/configuration.md).`);
  process.exit(0);
}

const port = (name: string, fallback: number): number => {
  const raw = setting(name) ?? String(fallback);
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 65535) {
    console.error(`${name} must be a port number (1-65535), got "${raw}"`);
    process.exit(1);
  }
  return n;
};
const workerPort = port('EDGESHARD_WORKER_PORT', 8787);
const emulatorPort = port('EDGESHARD_EMULATOR_PORT', 8790);
const metricsPort = port('EDGESHARD_METRICS_PORT', 9464);
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
  console.log('  qq/ws: hello the same over the QQ websocket gateway (a QQ shard of the shard host)');
  const rl = createInterface({ input: process.stdin });
  rl.on('line', (content) => {
    if (!content.trim()) return;
    if (content.trim().startsWith('/') || content.startsWith('qq:') || content.startsWith('qq/ws:')) {
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

/** `/name` sends a slash command, `qq: text` a QQ group @-message by webhook, `qq/ws: text` by websocket;
 *  the bot's answers are printed. */
async function webhookLine(emulator: EmulatorProcess, channelId: string, line: string): Promise<void> {
  const post = (path: string, body: unknown) =>
    fetch(`${emulator.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    }).then(async (r) => ({ ok: r.ok, json: (await r.json()) as Record<string, unknown> }));
  try {
    const qq = /^qq(\/ws)?:(.*)$/s.exec(line);
    if (qq) {
      const websocket = qq[1] !== undefined;
      const sentNow = async () =>
        (await (await fetch(`${emulator.url}/_emulator/qq/messages`)).json()) as { content: string }[];
      const before = (await sentNow()).length;
      const { ok, json } = await post('/_emulator/qq/say', {
        content: qq[2]!.trim() || 'hello',
        via: websocket ? 'websocket' : 'webhook',
      });
      if (!ok) return console.log(`qq › ${String(json.error)}`);
      // A webhook is answered after the handlers ran; a websocket event travels host → Worker first.
      let sent = await sentNow();
      for (let waited = 0; websocket && sent.length === before && waited < 5_000; waited += 100) {
        await new Promise((r) => setTimeout(r, 100));
        sent = await sentNow();
      }
      for (const m of sent.slice(before)) console.log(`qq bot › ${m.content}`);
      if (sent.length === before)
        console.log(
          websocket
            ? 'qq › no reply within 5 s (see the [shard-host] and [worker] lines)'
            : `qq › no reply (the Worker answered ${String((json.event as { status?: number }).status)})`,
        );
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

/** Against the real platforms: QQ's settings, when you gave them, reach the host too. */
function qqSettings(): Record<string, string> {
  const names = ['QQ_APP_ID', 'QQ_APP_SECRET', 'QQ_API_URL', 'QQ_TOKEN_URL', 'QQ_SANDBOX'];
  return Object.fromEntries(names.flatMap((n) => (setting(n) === undefined ? [] : [[n, setting(n)!]])));
}

async function main(): Promise<void> {
  const token = setting('DISCORD_TOKEN');
  // Every port is checked before anything starts: a taken one would be answered by someone else.
  const ports: PortUse[] = [
    ...(token ? [] : [{ port: emulatorPort, setting: 'EDGESHARD_EMULATOR_PORT', what: 'emulator' }]),
    { port: workerPort, setting: 'EDGESHARD_WORKER_PORT', what: 'Worker' },
    { port: metricsPort, setting: 'EDGESHARD_METRICS_PORT', what: "shard host's /metrics" },
  ];
  const taken = await portsInUse(ports);
  if (taken.length > 0) {
    for (const problem of taken) console.error(problem);
    process.exit(1);
  }
  const secret = setting('EDGESHARD_SECRET') ?? localSecret();
  // The status page is on for this run, behind a token printed in the banner (or yours, if set).
  const statusToken = setting('EDGESHARD_STATUS_TOKEN') ?? localSecret().slice(0, 32);
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
        loadLocalState(state).emulatorToken,
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
        EDGESHARD_STATUS_TOKEN: statusToken,
        ...(emulator ? emulatorWebhookVars(emulator) : {}),
      },
    },
    // The hosts' own requests (a batch every few ms, lease renewals) and our start check would bury the rest;
    // requests from you (status page, interactions, webhooks) and the handlers' logs are printed.
    { echo: true, echoFilter: (line) => !/^\[wrangler:info\] (\S+ \/(events|coordinator)\b|GET \/ )/.test(line) },
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
      EDGESHARD_METRICS_PORT: String(metricsPort),
      // The emulator's QQ bot too: the host runs its QQ shards over the QQ websocket gateway.
      ...(emulator ? emulatorQQHostVars(emulator) : qqSettings()),
      // Our output is a terminal, the host's a pipe to us: ask for the short human lines ourselves.
      EDGESHARD_LOG_FORMAT: setting('EDGESHARD_LOG_FORMAT') ?? (process.stdout.isTTY ? 'pretty' : 'json'),
    },
    { echo: true },
  );
  running.push(host);
  watchExit(host);

  console.log(`\nedgeshard is up:
  Worker       ${worker.url}   (handlers in workers/handlers/, reloaded on save)
  status page  ${worker.url}/status?token=${statusToken}
  shard host   http://127.0.0.1:${metricsPort}/metrics  and  /healthz   (logs prefixed [shard-host])
  ${emulator ? `emulator     ${emulator.url}   (state: ${emulator.url}/_emulator/state)` : `Discord      ${apiUrl}`}
Ctrl-C stops everything.`);
  if (emulator) await chat(emulator);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  void stopAll(1);
});
