// `npm run bench:gateway`: edgeshard's shard against @discordjs/ws 2.0.4 on the same emulator, in one run.
// Every scenario starts a fresh emulator process and one client process per library (never both at once),
// so process.cpuUsage() in the client measures that client alone. Results print as a table with ratios;
// `--json FILE` also writes them. Scenarios: throughput, idle, overload, ready (all by default; choose
// with `--only throughput,ready`).
import { cpus, loadavg } from 'node:os';
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { spawnManaged } from '../scripts/lib/proc.ts';
import { ROOT, startEmulatorProcess } from '../scripts/lib/stack.ts';
import { report, type Row } from './gateway/report.ts';

const { values: args } = parseArgs({
  options: { only: { type: 'string' }, json: { type: 'string' }, count: { type: 'string', default: '40000' } },
});
const only = new Set((args.only ?? 'throughput,idle,overload,ready').split(','));
const LIBS = ['edgeshard', 'discordjs'] as const;
/** `edgeshard-qq`: the same shard speaking QQ's dialect to the emulator's QQ gateway (a variant row). */
type Lib = (typeof LIBS)[number] | 'edgeshard-qq';

async function scenario(
  emulatorArgs: string[],
  lib: Lib,
  clientArgs: string[],
  nodeFlags: string[] = [],
): Promise<Record<string, number>> {
  const emulator = await startEmulatorProcess(['--port', '0', ...emulatorArgs]);
  try {
    const client = spawnManaged(`client-${lib}`, process.execPath, [
      ...nodeFlags,
      `${ROOT}bench/gateway/client.ts`,
      '--lib',
      lib,
      '--emulator',
      emulator.url,
      '--token',
      emulator.token,
      '--qq-app-id',
      emulator.qqAppId,
      '--qq-app-secret',
      emulator.qqAppSecret,
      ...clientArgs,
    ]);
    const code = await client.exited;
    const line = client.lines.find((l) => l.startsWith('{"result"'));
    if (code !== 0 || !line)
      throw new Error(`${lib} client failed (exit ${code}):\n${client.lines.slice(-20).join('\n')}`);
    const state = (await (await fetch(`${emulator.url}/_emulator/state`)).json()) as {
      identifies: number;
      identifyViolations: number;
      reconnects: number;
    };
    return {
      ...(JSON.parse(line) as { result: Record<string, number> }).result,
      identifies: state.identifies,
      identifyViolations: state.identifyViolations,
      reconnects: state.reconnects,
    };
  } finally {
    await emulator.stop('SIGINT');
  }
}

async function both(
  label: string,
  emulatorArgs: string[],
  clientArgs: string[],
  nodeFlags: string[] = [],
  extra: Record<string, string[]> = {},
  qq = false,
): Promise<Row> {
  const results = {} as Row['results'];
  for (const lib of LIBS) {
    process.stderr.write(`  ${label}: ${lib}…\n`);
    results[lib] = await scenario(emulatorArgs, lib, clientArgs, nodeFlags);
  }
  // Further edgeshard variants of the same scenario (e.g. overload with a Worker that never acknowledges).
  const variants: Record<string, Record<string, number>> = {};
  for (const [name, more] of Object.entries(extra)) {
    process.stderr.write(`  ${label}: edgeshard (${name})…\n`);
    variants[name] = await scenario(emulatorArgs, 'edgeshard', [...clientArgs, ...more], nodeFlags);
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

  if (only.has('throughput')) {
    for (const shards of [1, 4]) {
      for (const compress of ['zlib-stream', 'none']) {
        rows.push(
          await both(
            `throughput ${shards} shard${shards > 1 ? 's' : ''}, ${compress}`,
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
            ],
            [],
            {},
            compress === 'none',
          ),
        );
      }
    }
  }
  if (only.has('idle')) {
    for (const compress of ['zlib-stream', 'none']) {
      rows.push(
        await both(
          `idle heap 20→100 shards, ${compress}`,
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
          {},
          compress === 'none',
        ),
      );
    }
  }
  if (only.has('overload')) {
    // The blast uses deflate level 1 so the one-core emulator can outrun a client (bench/RESULTS.md).
    rows.push(
      await both(
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
        { 'Worker never acknowledges': ['--sink', 'none'] },
      ),
    );
  }
  if (only.has('ready')) {
    rows.push(
      await both(
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
  process.stdout.write(report(rows, { ...load, after, seconds: Math.round((Date.now() - started) / 1000) }));
  if (args.json) writeFileSync(args.json, JSON.stringify({ load: { ...load, after }, rows }, null, 1));
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
