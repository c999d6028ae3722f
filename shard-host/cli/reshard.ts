// `shard-host reshard --shards N|auto`: asks the Worker's coordinator to move the running bot to N shards
// without downtime (coordination/reshard.ts), then prints its progress until the switch. The request is
// signed with EDGESHARD_SECRET like an event batch and sent to EDGESHARD_WORKER_URL; `auto` is Discord's
// recommendation (GET {DISCORD_API_URL}/gateway/bot `shards`) rounded up to a multiple of max_concurrency,
// so the new generation identifies in whole buckets.
import {
  EdgeshardError,
  ERROR_CODES,
  RESHARD_PATH,
  signedHeaders,
  type ReshardAnswer,
  type ReshardRequest,
} from '../../protocol/index.ts';
import { configReader, readSecret, readWorkerUrl } from '../config.ts';
import { fetchGatewayBot } from '../gateway-info.ts';
import type { CommandIo } from './dead-letters.ts';

export const RESHARD_HELP = `Usage: shard-host reshard --shards N|auto [--no-wait] [--poll-ms MS]
       shard-host reshard --status | --cancel
                         [--worker-url URL] [--secret S] [--discord-token T] [--discord-api-url URL]

Moves the running bot to N shards without downtime: the coordinator identifies the new shards on the live
hosts (spread by capacity, through the one identify queue) while the old ones keep serving, switches when
every new shard is READY and has received its guilds, then closes the old shards for good.

  --shards N     the new shard count
  --shards auto  Discord's recommendation (GET /gateway/bot), rounded up to a multiple of max_concurrency
  --no-wait      start it and exit; otherwise progress is printed until the switch (exit 0) or a roll back (1)
  --status       print the reshard's progress and exit
  --cancel       roll back a reshard that has not switched yet (the new shards close)

Refused (exit 1, with the reason) when session_start_limit.remaining cannot cover N identifies (it says when
it resets), while another reshard runs, or when the live hosts cannot hold N shards beside the old ones.
Needs EDGESHARD_WORKER_URL and EDGESHARD_SECRET (flags, environment or .env, as the host's).`;

/** Options of this command; the rest are the host's settings (config.ts). */
const OWN_VALUE = new Set(['--shards', '--poll-ms']);
const OWN_FLAG = new Set(['--no-wait', '--status', '--cancel', '--help', '-h']);

interface Parsed {
  shards: string | undefined;
  pollMs: number;
  flags: Set<string>;
  rest: string[];
}

function parse(argv: readonly string[]): Parsed {
  const out: Parsed = { shards: undefined, pollMs: 1_000, flags: new Set(), rest: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.split(/=(.*)/s, 2) as [string, string | undefined];
    if (OWN_FLAG.has(flag)) out.flags.add(flag);
    else if (OWN_VALUE.has(flag)) {
      const value = inline ?? argv[++i];
      if (value === undefined) throw new EdgeshardError(ERROR_CODES.CONFIG_INVALID, `option ${flag} needs a value`);
      if (flag === '--shards') out.shards = value;
      else out.pollMs = Number(value);
    } else out.rest.push(arg);
  }
  return out;
}

/** Discord's recommendation, rounded up to whole identify buckets. */
export function roundToConcurrency(recommended: number, maxConcurrency: number): number {
  const m = Math.max(1, maxConcurrency);
  return Math.ceil(Math.max(1, recommended) / m) * m;
}

async function ask(workerUrl: string, secret: string, body: ReshardRequest): Promise<ReshardAnswer> {
  const text = JSON.stringify(body);
  let res;
  try {
    res = await fetch(`${workerUrl}${RESHARD_PATH}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await signedHeaders(secret, text)) },
      body: text,
    });
  } catch (cause) {
    throw new EdgeshardError(
      ERROR_CODES.UPSTREAM_HTTP,
      `cannot reach the Worker at ${workerUrl}: ${(cause as Error).message} — check EDGESHARD_WORKER_URL`,
      { cause },
    );
  }
  const answer = await res.text();
  if (res.status !== 200) {
    let message = answer.slice(0, 500);
    try {
      message = (JSON.parse(answer) as { error: { message: string } }).error.message;
    } catch {
      // not our error shape: the raw text
    }
    throw new EdgeshardError(ERROR_CODES.RESHARD_REFUSED, `${res.status}: ${message}`);
  }
  return JSON.parse(answer) as ReshardAnswer;
}

function describe(a: ReshardAnswer): string {
  const r = a.reshard;
  switch (r.kind) {
    case 'idle':
      return `no reshard; the bot runs ${a.shardCount ?? '?'} shards`;
    case 'identifying':
      return `identifying ${r.from} → ${r.to}: ${r.ready}/${r.total} new shards READY with their guilds (${r.reason})`;
    case 'switching':
      return `switched ${r.from} → ${r.to}: the ${r.to} new shards serve, the ${r.from} old ones are closing`;
    case 'done':
      return `done ${r.from} → ${r.to}: the bot runs ${a.shardCount} shards`;
    case 'rolled-back':
      return `rolled back ${r.from} → ${r.to}: ${r.why}`;
  }
}

export async function reshardCommand(argv: readonly string[], env: NodeJS.ProcessEnv, io: CommandIo): Promise<number> {
  try {
    const p = parse(argv);
    if (p.flags.has('--help') || p.flags.has('-h')) {
      io.out(RESHARD_HELP);
      return 0;
    }
    const get = configReader(p.rest, env);
    const workerUrl = readWorkerUrl(get);
    const secret = readSecret(get);
    if (p.flags.has('--status')) {
      io.out(describe(await ask(workerUrl, secret, {})));
      return 0;
    }
    if (p.flags.has('--cancel')) {
      io.out(describe(await ask(workerUrl, secret, { cancel: true })));
      return 0;
    }
    if (p.shards === undefined) {
      io.err('shard-host reshard needs --shards N or --shards auto (see --help)');
      return 2;
    }
    let to: number;
    if (p.shards === 'auto') {
      const token = get('DISCORD_TOKEN');
      if (!token) throw new EdgeshardError(ERROR_CODES.CONFIG_INVALID, '--shards auto asks Discord: set DISCORD_TOKEN');
      const bot = await fetchGatewayBot(get('DISCORD_API_URL')!, token);
      to = roundToConcurrency(bot.shards, bot.session_start_limit.max_concurrency);
      io.out(
        `Discord recommends ${bot.shards} shards; max_concurrency ${bot.session_start_limit.max_concurrency}: resharding to ${to}`,
      );
    } else {
      to = Number(p.shards);
      if (!Number.isInteger(to) || to < 1)
        throw new EdgeshardError(
          ERROR_CODES.CONFIG_INVALID,
          `--shards must be a positive integer or auto, got "${p.shards}"`,
        );
    }
    let answer = await ask(workerUrl, secret, { shards: to });
    let said = describe(answer);
    io.out(said);
    if (p.flags.has('--no-wait')) return 0;
    for (;;) {
      const r = answer.reshard;
      if (r.to === to && (r.kind === 'switching' || r.kind === 'done')) return 0;
      if (r.kind === 'rolled-back' || r.kind === 'idle') return 1;
      await new Promise((resolve) => setTimeout(resolve, p.pollMs));
      answer = await ask(workerUrl, secret, {});
      const line = describe(answer);
      if (line !== said) io.out((said = line));
    }
  } catch (err) {
    io.err(err instanceof Error ? err.message : String(err));
    return 1;
  }
}
