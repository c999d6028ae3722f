// Events the Worker refused for good (a 4xx other than 401/408/413/429, or a per-event dead-letter) are
// written here, one JSON line each with the reason, before they leave the spool: never dropped silently.
import { closeSync, fdatasyncSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { EventEnvelope } from '../../protocol/index.ts';

export interface DeadLetterLine {
  at: string;
  reason: string;
  event: EventEnvelope;
}

export class DeadLetterFile {
  readonly path: string;
  #fd: number | null = null;

  constructor(path: string) {
    this.path = path;
  }

  write(event: EventEnvelope, reason: string, now = Date.now()): void {
    if (this.#fd === null) {
      mkdirSync(dirname(this.path), { recursive: true });
      this.#fd = openSync(this.path, 'a');
    }
    const line: DeadLetterLine = { at: new Date(now).toISOString(), reason, event };
    writeSync(this.#fd, JSON.stringify(line) + '\n');
    // Rare and final: worth an fsync each.
    fdatasyncSync(this.#fd);
  }

  close(): void {
    if (this.#fd !== null) closeSync(this.#fd);
    this.#fd = null;
  }
}
