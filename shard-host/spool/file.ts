// The durable spool: an append-only log per shard in `dir/shard-N/`, cut into numbered segments. Events
// and acknowledgements are records in the same log (record.ts); a restart replays the log and re-sends
// what was never acknowledged. A segment is deleted once every event in it and in every older segment
// left the spool, so the log's size follows the backlog, not the history.
import {
  closeSync,
  fdatasync,
  fdatasyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  truncateSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { EventEnvelope } from '../../protocol/index.ts';
import type { Logger } from '../log.ts';
import { enforceCap, Entries } from './entries.ts';
import { ackRecord, eventRecord } from './record.ts';
import { scanSpoolDir, segmentName, shardDirName, unackedRecords } from './scan.ts';
import type { Spool, SpoolDepth, SpoolEntry, SpoolLimits } from './types.ts';

const datasync = promisify(fdatasync);

/** `batch`: the forwarder's sync() before each send fsyncs what was appended. `interval`: a timer does. */
export type Durability = { mode: 'batch' } | { mode: 'interval'; intervalMs: number };

export interface FileSpoolOptions extends Partial<SpoolLimits> {
  dir: string;
  logger: Logger;
  durability?: Durability;
  /** A segment is closed and a new one started past this size. */
  segmentBytes?: number;
}

export interface CorruptRecord {
  shard: number;
  file: string;
  offset: number;
  reason: string;
  discardedBytes: number;
}

export interface SpoolRecovery {
  events: number;
  shards: number;
  corrupt: CorruptRecord[];
}

interface Segment {
  no: number;
  path: string;
  fd: number | null;
  size: number;
  unacked: number;
}

interface ShardLog {
  dir: string;
  segments: Segment[];
  nextPos: number;
  segmentOf: Map<number, Segment>;
}

function openSegment(dir: string, no: number, size: number): Segment {
  const path = join(dir, segmentName(no));
  const fd = openSync(path, 'a');
  // A new file's name must survive a power loss too: fsync the directory that holds it.
  const dirFd = openSync(dir, 'r');
  try {
    fdatasyncSync(dirFd);
  } finally {
    closeSync(dirFd);
  }
  return { no, path, fd, size, unacked: 0 };
}

export class FileSpool implements Spool {
  readonly #o: FileSpoolOptions & { durability: Durability; segmentBytes: number; maxBytes: number };
  readonly #entries = new Entries();
  readonly #logs = new Map<number, ShardLog>();
  readonly #dirty = new Set<Segment>();
  /** Closed at rotation, closed for real once no fdatasync may still use them. */
  readonly #retired: number[] = [];
  #gen = 0;
  #syncedGen = 0;
  #syncing: Promise<void> | null = null;
  #timer: NodeJS.Timeout | null = null;
  readonly recovery: SpoolRecovery = { events: 0, shards: 0, corrupt: [] };

  private constructor(options: FileSpoolOptions) {
    this.#o = { durability: { mode: 'batch' }, segmentBytes: 8 * 1024 * 1024, maxBytes: Infinity, ...options };
  }

  /** Opens (creating) the directory and recovers what an earlier run left unacknowledged. */
  static open(options: FileSpoolOptions): FileSpool {
    const spool = new FileSpool(options);
    spool.#recover();
    const { durability } = spool.#o;
    if (durability.mode === 'interval') {
      spool.#timer = setInterval(
        () => void spool.#syncNow().catch((err: unknown) => options.logger.error('spool fsync failed', { error: err })),
        durability.intervalMs,
      );
      spool.#timer.unref();
    }
    return spool;
  }

  #recover(): void {
    mkdirSync(this.#o.dir, { recursive: true });
    for (const scan of scanSpoolDir(this.#o.dir)) {
      for (const s of scan.segments) {
        if (!s.bad) continue;
        // Everything before the bad record is intact; cut the file there so new records follow good ones.
        const report: CorruptRecord = {
          shard: scan.shard,
          file: s.path,
          offset: s.bad.offset,
          reason: s.bad.reason,
          discardedBytes: s.fileBytes - s.validBytes,
        };
        this.recovery.corrupt.push(report);
        this.#o.logger.error(
          'spool: corrupt or torn record found; skipped it and everything after it in that segment, kept every record before it',
          { ...report },
        );
        truncateSync(s.path, s.validBytes);
      }
      const { unacked, nextPos } = unackedRecords(scan);
      const segments = scan.segments.map((s): Segment => ({
        no: s.no,
        path: s.path,
        fd: null,
        size: s.validBytes,
        unacked: 0,
      }));
      const log: ShardLog = { dir: scan.dir, segments, nextPos, segmentOf: new Map() };
      this.#logs.set(scan.shard, log);
      for (const record of unacked) {
        const segment = segments.find((s) => s.no === record.segment)!;
        segment.unacked++;
        log.segmentOf.set(record.pos, segment);
        this.#entries.add(scan.shard, {
          pos: record.pos,
          event: JSON.parse(record.json) as EventEnvelope,
          json: record.json,
        });
      }
      const last = segments.at(-1);
      if (last) last.fd = openSync(last.path, 'a');
      this.#compact(log);
      if (unacked.length > 0) this.recovery.shards++;
      this.recovery.events += unacked.length;
    }
    this.#enforceCap();
  }

  #log(shard: number): ShardLog {
    let log = this.#logs.get(shard);
    if (!log) {
      const dir = join(this.#o.dir, shardDirName(shard));
      mkdirSync(dir, { recursive: true });
      log = { dir, segments: [openSegment(dir, 0, 0)], nextPos: 0, segmentOf: new Map() };
      this.#logs.set(shard, log);
    } else if (log.segments.length === 0) {
      log.segments.push(openSegment(log.dir, 0, 0));
    }
    return log;
  }

  /** Writes one record to the shard's active segment; on failure cuts the file back so no torn record stays. */
  #write(log: ShardLog, record: Buffer): Segment {
    const active = log.segments.at(-1)!;
    const fd = active.fd!;
    try {
      let off = 0;
      while (off < record.length) off += writeSync(fd, record, off, record.length - off);
    } catch (err) {
      ftruncateSync(fd, active.size);
      throw err;
    }
    active.size += record.length;
    this.#dirty.add(active);
    this.#gen++;
    return active;
  }

  append(event: EventEnvelope, json: string = JSON.stringify(event)): SpoolEntry {
    const log = this.#log(event.shard);
    const pos = log.nextPos;
    const segment = this.#write(log, eventRecord(pos, json));
    log.nextPos++;
    segment.unacked++;
    log.segmentOf.set(pos, segment);
    const entry: SpoolEntry = { pos, event, json };
    this.#entries.add(event.shard, entry);
    this.#enforceCap();
    this.#maybeRotate(log);
    return entry;
  }

  ack(shard: number, positions: readonly number[]): void {
    const removed = this.#entries.remove(shard, positions);
    if (removed.length > 0)
      this.#forget(
        shard,
        removed.map((e) => e.pos),
      );
  }

  /** Records that positions left the spool, then deletes segments nothing unacknowledged needs. */
  #forget(shard: number, positions: number[]): void {
    const log = this.#logs.get(shard)!;
    try {
      this.#write(log, ackRecord(positions));
    } catch (err) {
      // Losing an ack record costs a duplicate after a restart, never an event.
      this.#o.logger.warn('spool: could not record an acknowledgement; those events will be re-sent after a restart', {
        shard,
        events: positions.length,
        error: err,
      });
    }
    for (const pos of positions) {
      const segment = log.segmentOf.get(pos);
      if (segment) segment.unacked--;
      log.segmentOf.delete(pos);
    }
    this.#maybeRotate(log);
    this.#compact(log);
  }

  #enforceCap(): void {
    const dropped = new Map<number, number[]>();
    enforceCap(this.#entries, this.#o.maxBytes, (shard, entry) => {
      dropped.set(shard, [...(dropped.get(shard) ?? []), entry.pos]);
      this.#o.onDrop?.({
        entry,
        reason: `spool over its cap of ${this.#o.maxBytes} bytes (EDGESHARD_SPOOL_MAX_BYTES)`,
      });
    });
    for (const [shard, positions] of dropped) this.#forget(shard, positions);
  }

  #maybeRotate(log: ShardLog): void {
    const active = log.segments.at(-1);
    if (!active || active.size < this.#o.segmentBytes) return;
    // The closed segment must be as durable as the open one was about to be.
    fdatasyncSync(active.fd!);
    this.#dirty.delete(active);
    this.#retired.push(active.fd!);
    active.fd = null;
    if (!this.#syncing) this.#closeRetired();
    log.segments.push(openSegment(log.dir, active.no + 1, 0));
  }

  #compact(log: ShardLog): void {
    // Oldest first: acks for a segment's events are written in it or later, so deleting from the front
    // never resurrects an acknowledged event.
    while (log.segments.length > 1 && log.segments[0]!.unacked === 0) {
      const old = log.segments.shift()!;
      this.#dirty.delete(old);
      unlinkSync(old.path);
    }
  }

  #closeRetired(): void {
    for (const fd of this.#retired.splice(0)) closeSync(fd);
  }

  async #syncNow(): Promise<void> {
    const target = this.#gen;
    while (this.#syncedGen < target) {
      if (!this.#syncing) {
        const gen = this.#gen;
        const segments = [...this.#dirty].filter((s) => s.fd !== null);
        this.#dirty.clear();
        this.#syncing = Promise.all(segments.map((s) => datasync(s.fd!)))
          .then(
            () => {
              this.#syncedGen = Math.max(this.#syncedGen, gen);
            },
            (err: unknown) => {
              // Still not durable: the next sync tries these segments again.
              for (const s of segments) if (s.fd !== null) this.#dirty.add(s);
              throw err;
            },
          )
          .finally(() => {
            this.#syncing = null;
            this.#closeRetired();
          });
      }
      await this.#syncing;
    }
  }

  sync(): Promise<void> {
    return this.#o.durability.mode === 'batch' ? this.#syncNow() : Promise.resolve();
  }

  pending(shard: number, maxEvents: number, maxBytes: number, throughPos?: number): SpoolEntry[] {
    return this.#entries.pending(shard, maxEvents, maxBytes, throughPos);
  }

  shards(): number[] {
    return this.#entries.shards();
  }

  depth(shard?: number): SpoolDepth {
    return this.#entries.depth(shard);
  }

  async close(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    await this.#syncNow();
    for (const log of this.#logs.values()) {
      for (const s of log.segments) {
        if (s.fd !== null) closeSync(s.fd);
        s.fd = null;
      }
    }
    this.#closeRetired();
  }
}
