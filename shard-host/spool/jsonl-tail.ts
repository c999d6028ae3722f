// Follows an append-only JSON-lines file that another process may be appending to: each read() returns
// the complete lines added since the last one. A torn last line (a writer mid-append) waits for the next
// read; a line that is not JSON is counted and skipped.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

export class JsonlTail {
  readonly path: string;
  #offset = 0;
  #partial = '';
  /** Lines that were not JSON. */
  corrupt = 0;

  constructor(path: string) {
    this.path = path;
  }

  /** New complete lines, parsed; [] when the file does not exist (yet). Starts over if the file shrank. */
  read(): { lines: unknown[]; restarted: boolean } {
    let fd: number;
    try {
      fd = openSync(this.path, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { lines: [], restarted: false };
      throw err;
    }
    try {
      const size = fstatSync(fd).size;
      const restarted = size < this.#offset;
      if (restarted) {
        this.#offset = 0;
        this.#partial = '';
        this.corrupt = 0;
      }
      if (size === this.#offset) return { lines: [], restarted };
      const buf = Buffer.alloc(size - this.#offset);
      const n = readSync(fd, buf, 0, buf.length, this.#offset);
      this.#offset += n;
      const text = this.#partial + buf.subarray(0, n).toString('utf8');
      const parts = text.split('\n');
      this.#partial = parts.pop()!;
      const lines: unknown[] = [];
      for (const part of parts) {
        if (part.trim() === '') continue;
        try {
          lines.push(JSON.parse(part));
        } catch {
          this.corrupt++;
        }
      }
      return { lines, restarted };
    } finally {
      closeSync(fd);
    }
  }
}
