// The dead letters an operator still has to look at: the host's dead-letter file (append-only, written by
// the running host) folded with a replay marker file next to it (append-only, written by
// `shard-host dead-letters --replay`). Neither file is ever rewritten, so the host and the command can
// run at the same time; each reader follows both files by offset and reads only what was appended.
import { closeSync, fdatasyncSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { EventEnvelope } from '../../protocol/index.ts';
import type { DeadLetterLine } from './dead-letter.ts';
import { JsonlTail } from './jsonl-tail.ts';

/** One line of the replay marker file. */
export interface ReplayMark {
  /** When the replay happened. */
  at: string;
  id: string;
  /** `at` of the newest dead-letter line of this event the replay carried: later dead letters stay listed. */
  deadAt: string;
  outcome: 'replayed' | 'failed';
  /** The Worker's error, for `failed`. */
  reason?: string;
}

export interface DeadLetter {
  /** When the host dead-lettered it (the newest line for this event id). */
  at: string;
  /** The host's reason, or the error of the newest failed replay. */
  reason: string;
  event: EventEnvelope;
  /** Failed replays of this dead letter so far. */
  failedReplays: number;
}

/** `dead-letter.jsonl` → `dead-letter.replayed.jsonl`. */
export function replayMarkPath(deadLetterPath: string): string {
  return deadLetterPath.replace(/(\.jsonl)?$/, '.replayed.jsonl');
}

function isDeadLetterLine(v: unknown): v is DeadLetterLine {
  const l = v as Partial<DeadLetterLine> | null;
  return (
    typeof l === 'object' &&
    l !== null &&
    typeof l.at === 'string' &&
    typeof l.reason === 'string' &&
    typeof l.event?.id === 'string'
  );
}

function isReplayMark(v: unknown): v is ReplayMark {
  const m = v as Partial<ReplayMark> | null;
  return (
    typeof m === 'object' &&
    m !== null &&
    typeof m.id === 'string' &&
    typeof m.deadAt === 'string' &&
    (m.outcome === 'replayed' || m.outcome === 'failed')
  );
}

export class DeadLetterList {
  readonly path: string;
  readonly markPath: string;
  readonly #letters: JsonlTail;
  readonly #marks: JsonlTail;
  /** Newest dead-letter line per event id, in first-seen order. */
  readonly #byId = new Map<string, DeadLetterLine>();
  /** Replay marks per event id, in file order. */
  readonly #marksById = new Map<string, ReplayMark[]>();
  #markFd: number | null = null;

  constructor(path: string) {
    this.path = path;
    this.markPath = replayMarkPath(path);
    this.#letters = new JsonlTail(path);
    this.#marks = new JsonlTail(this.markPath);
  }

  /** Lines of either file that could not be read. */
  get corrupt(): number {
    return this.#letters.corrupt + this.#marks.corrupt;
  }

  /** Reads what both files gained since the last call. */
  refresh(): void {
    const letters = this.#letters.read();
    if (letters.restarted) this.#byId.clear();
    for (const line of letters.lines) if (isDeadLetterLine(line)) this.#byId.set(line.event.id, line);
    const marks = this.#marks.read();
    if (marks.restarted) this.#marksById.clear();
    for (const mark of marks.lines) {
      if (!isReplayMark(mark)) continue;
      const list = this.#marksById.get(mark.id) ?? [];
      list.push(mark);
      this.#marksById.set(mark.id, list);
    }
  }

  /** Dead letters not replayed successfully, oldest first. */
  outstanding(): DeadLetter[] {
    this.refresh();
    const out: DeadLetter[] = [];
    for (const line of this.#byId.values()) {
      // ISO-8601 UTC strings of one format compare in time order.
      const marks = (this.#marksById.get(line.event.id) ?? []).filter((m) => m.deadAt >= line.at);
      if (marks.some((m) => m.outcome === 'replayed')) continue;
      const lastFailure = marks.at(-1);
      out.push({
        at: line.at,
        reason: lastFailure?.reason ?? line.reason,
        event: line.event,
        failedReplays: marks.length,
      });
    }
    return out.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  }

  count(): number {
    return this.outstanding().length;
  }

  /** Appends a replay mark (fsynced: a replayed event must not be replayed again after a crash). */
  mark(letter: DeadLetter, outcome: ReplayMark['outcome'], reason?: string, now = Date.now()): void {
    if (this.#markFd === null) {
      mkdirSync(dirname(this.markPath), { recursive: true });
      this.#markFd = openSync(this.markPath, 'a');
    }
    const mark: ReplayMark = {
      at: new Date(now).toISOString(),
      id: letter.event.id,
      deadAt: letter.at,
      outcome,
      ...(reason === undefined ? {} : { reason }),
    };
    writeSync(this.#markFd, JSON.stringify(mark) + '\n');
    fdatasyncSync(this.#markFd);
  }

  close(): void {
    if (this.#markFd !== null) closeSync(this.#markFd);
    this.#markFd = null;
  }
}
