// Reads a spool directory back: per shard, its segments in order and the unacknowledged events they
// hold. The file spool recovers with it at start; tools and tests use it to see what a host left behind.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseLog, type BadRecord, type LogRecord } from './record.ts';

export interface SegmentScan {
  /** Segment number; segments of a shard are read in this order. */
  no: number;
  path: string;
  records: LogRecord[];
  /** Bytes of intact records; the file is cut back to this length on recovery. */
  validBytes: number;
  fileBytes: number;
  bad: BadRecord | null;
}

export interface ShardScan {
  shard: number;
  dir: string;
  segments: SegmentScan[];
}

export interface UnackedRecord {
  pos: number;
  json: string;
  segment: number;
}

export const shardDirName = (shard: number): string => `shard-${shard}`;
export const segmentName = (no: number): string => `${String(no).padStart(10, '0')}.log`;

const numbered = (names: string[], pattern: RegExp): number[] =>
  names
    .flatMap((n) => {
      const m = pattern.exec(n);
      return m ? [Number(m[1])] : [];
    })
    .sort((a, b) => a - b);

export function scanSpoolDir(dir: string): ShardScan[] {
  if (!existsSync(dir)) return [];
  return numbered(readdirSync(dir), /^shard-(\d+)$/).map((shard) => {
    const shardDir = join(dir, shardDirName(shard));
    const segments = numbered(readdirSync(shardDir), /^(\d+)\.log$/).map((no): SegmentScan => {
      const path = join(shardDir, segmentName(no));
      const buf = readFileSync(path);
      const parsed = parseLog(buf);
      return {
        no,
        path,
        records: parsed.records,
        validBytes: parsed.validBytes,
        fileBytes: buf.length,
        bad: parsed.bad,
      };
    });
    return { shard, dir: shardDir, segments };
  });
}

/** Replays events and acks in log order: what is left was never acknowledged. */
export function unackedRecords(scan: ShardScan): { unacked: UnackedRecord[]; nextPos: number } {
  const live = new Map<number, UnackedRecord>();
  let nextPos = 0;
  for (const segment of scan.segments) {
    for (const record of segment.records) {
      if (record.kind === 'event') {
        live.set(record.pos, { pos: record.pos, json: record.json, segment: segment.no });
        nextPos = Math.max(nextPos, record.pos + 1);
      } else {
        for (const pos of record.positions) live.delete(pos);
      }
    }
  }
  return { unacked: [...live.values()].sort((a, b) => a.pos - b.pos), nextPos };
}
