// `npm run bench:gateway`: edgeshard's WHOLE host path against @discordjs/ws 2.0.4 and @discordeno/gateway
// 21.0.0 on the same emulator, in one run. edgeshard's client is the host's path (bench/gateway/clients/edgeshard.ts):
// shard → file spool with fsync before each batch → forwarder → signed HTTP POST to a stand-in Worker on
// 127.0.0.1 (its own process) that answers per event; a dispatch counts when the Worker acknowledged it.
// The peers only parse. Every scenario starts a fresh emulator (and stand-in Worker) and one client process
// per library, one after the other, so process.cpuUsage() in the client measures that client alone.
// The machine's other load (busy CPU minus our processes', bench/gateway/machine.ts) is measured in every
// scenario; a run where it exceeded LOADED_CORES prints its table marked LOADED, never as a headline.
// Options: `--only throughput,rate,idle,overload,ready`, `--libs edgeshard,discordjs,discordeno`,
// `--json FILE`, `--count N` (dispatches per throughput scenario), `--rate N` (per shard, default 2000).
import { cpus, loadavg } from 'node:os';
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { spawnManaged, type Managed } from '../scripts/lib/proc.ts';
import { cachedModule, HOST_SOURCES } from '../shard-host/js-cache.mjs';
import { HOST_NODE_FLAGS } from '../shard-host/node-flags.mjs';
import { ROOT, startEmulatorProcess } from '../scripts/lib/stack.ts';
import { machineBusySeconds, processSeconds } from './gateway/machine.ts';
import { LIBS, report, type Lib, type Row } from './gateway/report.ts';

const { values: args } = parseArgs({
  options: {
    only: { type: 'string' },
    libs: { type: 'string' },
    json: { type: 'string' },
    count: { type: 'string', default: '40000' },
    rate: { type: 'string', default: '2000' },
  },
});
const only = new Set((args.only ?? 'throughput,rate,idle,overload,ready').split(','));
const libs = (args.libs?.split(',') ?? [...LIBS]) as Lib[];
/** Other work on the machine (cores) above which a scenario's figures are not a headline. */
export const LOADED_CORES = 0.3;
const SECRET = 'bench-secret';
/** Every client runs as JavaScript, as a deployed host runs from its cache (shard-host/js-cache.mjs): no
 *  process here pays Node's type stripper (about 35 MB of RSS on the host's module graph). */
const CLIENT =
  cachedModule('bench/gateway/client.ts', [...HOST_SOURCES, 'bench/gateway']) ?? `${ROOT}bench/gateway/client.ts`;

async function standInWorker(hang: boolean): Promise<Managed & { url: string }> {
  const proc = spawnManaged('stand-in-worker', process.execPath, [
    `${ROOT}bench/gateway/stand-in-worker.ts`,
    '--secret',
    SECRET,
    ...(hang ? ['--hang'] : []),
  ]);
  const deadline = Date.now() + 10_000;
  for (;;) {
    const line = proc.lines.find((l) => l.startsWith('{"url"'));
    if (line) return Object.assign(proc, { url: (JSON.parse(line) as { url: string }).url });
    if (Date.now() > deadline) throw new Error(`stand-in Worker did not start:\n${proc.lines.join('\n')}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** BENCH_PROFILE_DIR=dir: edgeshard's client writes a CPU profile there per scenario (summarise with
 *  bench/gateway/profile-categories.mjs). */
const profileFlags = (lib: string) =>
  process.env.BENCH_PROFILE_DIR && lib === 'edgeshard'
    ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`, '--cpu-prof-interval', '250']
    : [];

async function scenario(
  emulatorArgs: string[],
  lib: Lib | 'edgeshard-qq',
  clientArgs: string[],
  nodeFlags: string[] = [],
  hang = false,
): Promise<Record<string, number>> {
  const emulator = await startEmulatorProcess(['--port', '0', ...emulatorArgs]);
  const worker = lib === 'edgeshard' ? await standInWorker(hang) : undefined;
  const busy0 = machineBusySeconds();
  const ours0 = processSeconds(emulator.child.pid) + processSeconds(worker?.child.pid);
  const t0 = performance.now();
  try {
    const client = spawnManaged(`client-${lib}`, process.execPath, [
      ...nodeFlags,
      // edgeshard's client starts as every launcher starts the host.
      ...(lib === 'discordjs' || lib === 'discordeno' ? [] : HOST_NODE_FLAGS),
      ...profileFlags(lib),
      CLIENT,
      '--lib',
      lib,
      '--emulator',
      emulator.url,
      '--token',
      emulator.token,
      '--qq-app-id',
      emulator.qqAppId,
      // One argument: a generated secret may start with '-', which parseArgs would take for an option.
      `--qq-app-secret=${emulator.qqAppSecret}`,
      ...(worker ? ['--worker', worker.url, '--secret', SECRET] : []),
      ...clientArgs,
    ]);
    const code = await client.exited;
    const line = client.lines.find((l) => l.startsWith('{"result"'));
    if (code !== 0 || !line)
      throw new Error(`${lib} client failed (exit ${code}):\n${client.lines.slice(-20).join('\n')}`);
    const result = (JSON.parse(line) as { result: Record<string, number> }).result;
    const wallS = (performance.now() - t0) / 1000;
    const ours = processSeconds(emulator.child.pid) + processSeconds(worker?.child.pid) - ours0 + result.processCpuS!;
    const otherCores = Math.max(0, (machineBusySeconds() - busy0 - ours) / wallS);
    const state = (await (await fetch(`${emulator.url}/_emulator/state`)).json()) as {
      identifies: number;
      identifyViolations: number;
      reconnects: number;
    };
    return {
      ...result,
      otherCores,
      identifies: state.identifies,
      identifyViolations: state.identifyViolations,
      reconnects: state.reconnects,
    };
  } finally {
    await worker?.stop('SIGINT');
    await emulator.stop('SIGINT');
  }
}

async function all(
  label: string,
  emulatorArgs: string[],
  clientArgs: string[],
  nodeFlags: string[] = [],
  extra: Record<string, { args: string[]; hang?: boolean }> = {},
  qq = false,
): Promise<Row> {
  const results = {} as Row['results'];
  for (const lib of libs) {
    process.stderr.write(`  ${label}: ${lib}…\n`);
    results[lib] = await scenario(emulatorArgs, lib, clientArgs, nodeFlags);
  }
  // Further edgeshard variants of the same scenario (e.g. overload with a Worker that never acknowledges).
  const variants: Record<string, Record<string, number>> = {};
  for (const [name, more] of Object.entries(extra)) {
    process.stderr.write(`  ${label}: edgeshard (${name})…\n`);
    variants[name] = await scenario(emulatorArgs, 'edgeshard', [...clientArgs, ...more.args], nodeFlags, more.hang);
  }
  if (qq) {
    process.stderr.write(`  ${label}: edgeshard (QQ dialect)…\n`);
    variants['QQ dialect'] = await scenario(emulatorArgs, 'edgeshard-qq', clientArgs, nodeFlags);
  }
  return { label, results, variants };
}

async function main(): Promise<void> {
  const started = Date.now();
  const load = {
    before: loadavg()
      .map((n) => n.toFixed(2))
      .join(' '),
    cpus: cpus().length,
    model: cpus()[0]?.model ?? '?',
  };
  process.stderr.write(`bench:gateway on ${load.cpus} × ${load.model}, load average ${load.before}\n`);
  const rows: Row[] = [];
  const throughput = (shards: number, compress: string, rate?: string) =>
    all(
      `${rate ? `fixed ${rate}/s per shard` : 'max rate'}, ${shards} shard${shards > 1 ? 's' : ''}, ${compress}`,
      ['--shards', String(shards), '--identify-window-ms', '100'],
      [
        '--mode',
        'throughput',
        '--shards',
        String(shards),
        '--compress',
        compress,
        '--identify-window-ms',
        '100',
        '--count',
        args.count,
        ...(rate ? ['--rate', rate] : []),
      ],
    );

  for (const mode of ['rate', 'throughput'] as const) {
    if (!only.has(mode)) continue;
    for (const shards of [1, 4])
      for (const compress of ['zlib-stream', 'none'])
        rows.push(await throughput(shards, compress, mode === 'rate' ? args.rate : undefined));
  }
  if (only.has('idle')) {
    for (const compress of ['zlib-stream', 'none']) {
      rows.push(
        await all(
          `idle 20→100 shards, ${compress}`,
          [
            '--shards',
            '100',
            '--max-concurrency',
            '100',
            '--identify-window-ms',
            '100',
            '--heartbeat-interval-ms',
            '41250',
          ],
          [
            '--mode',
            'idle',
            '--shards',
            '100',
            '--compress',
            compress,
            '--max-concurrency',
            '100',
            '--identify-window-ms',
            '100',
          ],
          ['--expose-gc'],
        ),
      );
    }
  }
  if (only.has('overload')) {
    // The blast uses deflate level 1 so the one-core emulator can outrun a client (bench/RESULTS.md).
    rows.push(
      await all(
        'overload 15 s, 1 shard, zlib-stream',
        ['--shards', '1', '--identify-window-ms', '100'],
        [
          '--mode',
          'overload',
          '--shards',
          '1',
          '--compress',
          'zlib-stream',
          '--identify-window-ms',
          '100',
          '--duration-ms',
          '15000',
        ],
        [],
        { 'Worker never answers': { args: [], hang: true } },
      ),
    );
  }
  if (only.has('ready')) {
    rows.push(
      await all(
        'READY 32 shards, max_concurrency 4, 1 s window',
        ['--shards', '32', '--max-concurrency', '4', '--identify-window-ms', '1000'],
        [
          '--mode',
          'ready',
          '--shards',
          '32',
          '--compress',
          'zlib-stream',
          '--max-concurrency',
          '4',
          '--identify-window-ms',
          '1000',
        ],
      ),
    );
  }

  const after = loadavg()
    .map((n) => n.toFixed(2))
    .join(' ');
  const env = { ...load, after, seconds: Math.round((Date.now() - started) / 1000), loadedCores: LOADED_CORES };
  process.stdout.write(report(rows, libs, env));
  if (args.json) writeFileSync(args.json, JSON.stringify({ load: env, rows }, null, 1));
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
