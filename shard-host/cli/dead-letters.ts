// `shard-host dead-letters [--json] [--replay]`: lists the events the host dead-lettered and not yet
// replayed, or re-delivers them to the Worker (replay.ts). Reads the host's settings by the same names and
// precedence as the host (config.ts) but needs no DISCORD_TOKEN; safe while the host runs (both files
// are append-only and never rewritten).
import { hostname } from 'node:os';
import { configReader, platformFiles, readDeadLetterFile, readSecret, readWorkerUrl } from '../config.ts';
import type { Platform } from '../../protocol/index.ts';
import { HttpTransport } from '../forwarder/http-transport.ts';
import type { BatchTransport } from '../forwarder/transport.ts';
import { DeadLetterList, type DeadLetter } from '../spool/dead-letter-list.ts';
import { replayDeadLetters, type ReplayReport } from './replay.ts';

const PLATFORMS: readonly Platform[] = ['discord', 'qq'];

export const DEAD_LETTERS_HELP = `Usage: shard-host dead-letters [--json] [--replay] [--dead-letter-file PATH] [--spool-dir DIR]
                             [--worker-url URL] [--secret S]

Lists the events this host dead-lettered (a handler failed EDGESHARD_MAX_ATTEMPTS times, or the Worker
refused them) that have not been replayed: id, type, shard, when, reason. Both platforms' files are read:
Discord's (EDGESHARD_DEAD_LETTER_FILE, default <EDGESHARD_SPOOL_DIR>/dead-letter.jsonl) and QQ's
(<EDGESHARD_SPOOL_DIR>/qq/dead-letter.jsonl).

  --json     one JSON document for machines
  --replay   re-deliver them to the Worker's /events as a signed replay batch (EDGESHARD_WORKER_URL,
             EDGESHARD_SECRET); acknowledged events leave the list, failing ones stay with the new error.
             Exit code 1 when any event is still failing or was not sent.

Settings come from flags, the environment or .env, like the host's (EDGESHARD_DEAD_LETTER_FILE,
EDGESHARD_SPOOL_DIR, ...). Safe to run while the host is running.`;

export interface CommandIo {
  out: (text: string) => void;
  err: (text: string) => void;
  /** For tests: the transport replay sends through (default: HTTP to EDGESHARD_WORKER_URL). */
  transport?: (workerUrl: string, secret: string) => BatchTransport;
}

const REASON_WIDTH = 160;

function table(letters: readonly DeadLetter[]): string {
  const rows = letters.map((l) => [
    l.event.id,
    l.event.type,
    String(l.event.shard),
    l.at,
    l.reason.length > REASON_WIDTH ? l.reason.slice(0, REASON_WIDTH - 1) + '…' : l.reason,
  ]);
  const head = ['ID', 'TYPE', 'SHARD', 'WHEN', 'REASON'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  return [line(head), ...rows.map(line)].join('\n');
}

const asJson = (l: DeadLetter) => ({
  id: l.event.id,
  type: l.event.type,
  shard: l.event.shard,
  at: l.at,
  reason: l.reason,
  failedReplays: l.failedReplays,
  event: l.event,
});

export async function deadLettersCommand(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  io: CommandIo,
): Promise<number> {
  const own = new Set(['--json', '--replay', '--help', '-h']);
  const flags = new Set(argv.filter((a) => own.has(a)));
  if (flags.has('--help') || flags.has('-h')) {
    io.out(DEAD_LETTERS_HELP);
    return 0;
  }
  const get = configReader(
    argv.filter((a) => !own.has(a)),
    env,
  );
  const base = { spoolDir: get('EDGESHARD_SPOOL_DIR')!, deadLetterFile: readDeadLetterFile(get) };
  // One list per platform: a replay batch carries one platform's events (the Worker admits it with that
  // platform's coordinator).
  const lists = PLATFORMS.map((p) => new DeadLetterList(platformFiles(base, p).deadLetterFile));
  try {
    if (!flags.has('--replay')) {
      const byList = lists.map((list) => ({ path: list.path, letters: list.outstanding() }));
      const letters = byList.flatMap((l) => l.letters);
      const files = byList.map((l) => l.path);
      const holding = byList.filter((l) => l.letters.length > 0).map((l) => l.path);
      if (flags.has('--json')) io.out(JSON.stringify({ files, deadLetters: letters.map(asJson) }, null, 2));
      else if (letters.length === 0) io.out(`no dead letters in ${files.join(' or ')}`);
      else
        io.out(
          `${letters.length} dead letter${letters.length === 1 ? '' : 's'} in ${holding.join(' and ')}\n${table(letters)}`,
        );
      for (const list of lists)
        if (list.corrupt > 0) io.err(`${list.corrupt} unreadable line(s) in ${list.path} or ${list.markPath} skipped`);
      return 0;
    }
    const workerUrl = readWorkerUrl(get);
    const secret = readSecret(get);
    const transport = io.transport?.(workerUrl, secret) ?? new HttpTransport({ workerUrl, secret, connections: 1 });
    try {
      const hostId = `${get('EDGESHARD_HOST_ID') ?? hostname()}/dead-letters`;
      const report: ReplayReport = { replayed: [], failed: [], notSent: [] };
      for (const list of lists) {
        const r = await replayDeadLetters(list, transport, { hostId });
        report.replayed.push(...r.replayed);
        report.failed.push(...r.failed);
        report.notSent.push(...r.notSent);
      }
      if (flags.has('--json')) io.out(JSON.stringify(report, null, 2));
      else {
        for (const id of report.replayed) io.out(`replayed       ${id}`);
        for (const f of report.failed) io.out(`still failing  ${f.id}: ${f.reason}`);
        for (const f of report.notSent) io.out(`not sent       ${f.id}: ${f.reason}`);
        io.out(
          `${report.replayed.length} replayed, ${report.failed.length} still failing, ${report.notSent.length} not sent`,
        );
      }
      return report.failed.length + report.notSent.length === 0 ? 0 : 1;
    } finally {
      await transport.close();
    }
  } finally {
    for (const list of lists) list.close();
  }
}
