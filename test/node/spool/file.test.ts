// The file spool: the shared contract, then what only a durable spool promises (restart, torn tail,
// corruption, compaction).
import { mkdtempSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { memoryLogger } from '../../../shard-host/log.ts';
import { FileSpool, type FileSpoolOptions } from '../../../shard-host/spool/file.ts';
import { scanSpoolDir, unackedRecords } from '../../../shard-host/spool/scan.ts';
import { event, spoolContract } from './contract.ts';

const open: FileSpool[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) await s.close().catch(() => {});
});

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'edgeshard-spool-'));
}

function openSpool(dir: string, extra: Partial<FileSpoolOptions> = {}) {
  const logger = memoryLogger();
  const spool = FileSpool.open({ dir, logger, ...extra });
  open.push(spool);
  return { spool, logger };
}

const seqs = (spool: FileSpool, shard = 0) => spool.pending(shard, 1000, 1 << 30).map((e) => e.event.seq);
const segments = (dir: string, shard = 0) => readdirSync(join(dir, `shard-${shard}`)).sort();
const lastSegment = (dir: string, shard = 0) => join(dir, `shard-${shard}`, segments(dir, shard).at(-1)!);

spoolContract('file', (limits) => openSpool(tempDir(), limits).spool);

describe('FileSpool across restarts', () => {
  it('recovers a pre-serialised event from its stored JSON after a restart', async () => {
    const dir = tempDir();
    const { spool } = openSpool(dir);
    const json = JSON.stringify(event(0, 1)).replace('"data":{', '"data": {');
    spool.append(event(0, 1), json);
    await spool.close();
    const { spool: again } = openSpool(dir);
    const [entry] = again.pending(0, 10, 1 << 20);
    expect(entry!.json).toBe(json);
    expect(entry!.event).toEqual(event(0, 1));
  });

  it('re-sends after a restart exactly what was not acknowledged, and keeps numbering after it', async () => {
    const dir = tempDir();
    const { spool } = openSpool(dir);
    const entries = Array.from({ length: 10 }, (_, i) => spool.append(event(0, i + 1)));
    spool.append(event(3, 1));
    spool.ack(
      0,
      entries.slice(0, 4).map((e) => e.pos),
    );
    spool.ack(0, [entries[6]!.pos]);
    await spool.close();

    const { spool: again } = openSpool(dir);
    expect(again.recovery).toEqual({ events: 6, shards: 2, corrupt: [] });
    expect(seqs(again)).toEqual([5, 6, 8, 9, 10]);
    expect(seqs(again, 3)).toEqual([1]);
    expect(again.pending(0, 1, 1)[0]!.event).toEqual(event(0, 5));
    expect(again.append(event(0, 11)).pos).toBe(entries[9]!.pos + 1);
  });

  it('recovers what a crashed process wrote even without close or fsync', () => {
    const dir = tempDir();
    const { spool } = openSpool(dir, { durability: { mode: 'interval', intervalMs: 60_000 } });
    for (let seq = 1; seq <= 3; seq++) spool.append(event(0, seq));
    // No close(): the writes are in the operating system, which is what survives a SIGKILL.
    const { spool: again } = openSpool(dir);
    expect(seqs(again)).toEqual([1, 2, 3]);
  });

  it('detects a torn last record, reports it, keeps every record before it, and appends cleanly after', async () => {
    const dir = tempDir();
    const { spool } = openSpool(dir);
    for (let seq = 1; seq <= 5; seq++) spool.append(event(0, seq));
    await spool.close();
    const file = lastSegment(dir);
    truncateSync(file, statSync(file).size - 7); // power loss in the middle of the last write

    const { spool: again, logger } = openSpool(dir);
    expect(seqs(again)).toEqual([1, 2, 3, 4]);
    expect(again.recovery.corrupt).toHaveLength(1);
    expect(again.recovery.corrupt[0]).toMatchObject({ shard: 0, file, reason: expect.stringMatching(/torn record/) });
    expect(logger.lines.some((l) => l.level === 'error' && String(l.msg).includes('corrupt or torn record'))).toBe(
      true,
    );
    again.append(event(0, 6));
    await again.close();

    const { spool: third } = openSpool(dir);
    expect(third.recovery.corrupt).toEqual([]);
    expect(seqs(third)).toEqual([1, 2, 3, 4, 6]);
  });

  it('detects a flipped byte by its checksum and keeps the records before it', async () => {
    const dir = tempDir();
    const { spool } = openSpool(dir);
    for (let seq = 1; seq <= 3; seq++) spool.append(event(0, seq));
    await spool.close();
    const file = lastSegment(dir);
    const bytes = readFileSync(file);
    bytes.writeUInt8(bytes.readUInt8(bytes.length - 3) ^ 0xff, bytes.length - 3);
    writeFileSync(file, bytes);

    const { spool: again } = openSpool(dir);
    expect(again.recovery.corrupt[0]?.reason).toBe('checksum mismatch');
    expect(again.recovery.corrupt[0]?.discardedBytes).toBeGreaterThan(0);
    expect(seqs(again)).toEqual([1, 2]);
  });

  it('refuses an implausible record length as corruption instead of reading past it', async () => {
    const dir = tempDir();
    const { spool } = openSpool(dir);
    const first = spool.append(event(0, 1));
    spool.append(event(0, 2));
    await spool.close();
    const file = lastSegment(dir);
    const bytes = readFileSync(file);
    const second = 8 + Buffer.byteLength(`E${first.pos} ${first.json}`);
    bytes.writeUInt32LE(0xfffffff0, second);
    writeFileSync(file, bytes);
    const { spool: again } = openSpool(dir);
    expect(again.recovery.corrupt[0]?.reason).toMatch(/not plausible/);
    expect(seqs(again)).toEqual([1]);
  });

  it('deletes segments once everything in them is acknowledged, so the log follows the backlog', async () => {
    const dir = tempDir();
    const { spool } = openSpool(dir, { segmentBytes: 600 });
    const entries = Array.from({ length: 40 }, (_, i) => spool.append(event(0, i + 1)));
    expect(segments(dir).length).toBeGreaterThan(5);
    spool.ack(
      0,
      entries.slice(0, 39).map((e) => e.pos),
    );
    expect(segments(dir).length).toBeLessThanOrEqual(2);
    spool.ack(0, [entries[39]!.pos]);
    for (let i = 0; i < 20; i++) spool.append(event(0, 100 + i)); // acks alone never grow a segment forever
    await spool.close();
    const { spool: again } = openSpool(dir, { segmentBytes: 600 });
    expect(seqs(again)).toEqual(Array.from({ length: 20 }, (_, i) => 100 + i));
    const replay = unackedRecords(scanSpoolDir(dir)[0]!);
    expect(replay.unacked).toHaveLength(20);
  });

  it('drops past the cap durably: a dropped event does not come back after a restart', async () => {
    const dir = tempDir();
    const size = JSON.stringify(event(0, 1)).length;
    const dropped: string[] = [];
    const { spool } = openSpool(dir, { maxBytes: size * 2 + 2, onDrop: (d) => dropped.push(d.entry.event.id) });
    for (let seq = 1; seq <= 4; seq++) spool.append(event(0, seq));
    expect(dropped).toEqual(['discord:0:s:1', 'discord:0:s:2']);
    await spool.close();
    const { spool: again } = openSpool(dir);
    expect(seqs(again)).toEqual([3, 4]);
  });

  it('with interval durability, sync() does not wait and a timer fsyncs', async () => {
    const dir = tempDir();
    const { spool } = openSpool(dir, { durability: { mode: 'interval', intervalMs: 5 } });
    spool.append(event(0, 1));
    await spool.sync();
    await new Promise((r) => setTimeout(r, 30));
    await spool.close();
    expect(seqs(openSpool(dir).spool)).toEqual([1]);
  });
});
