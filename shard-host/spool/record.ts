// One record of the spool log: [payload length u32 LE][CRC32 of payload u32 LE][payload]. The payload is
// text: `E<pos> <event json>` for an appended event, `A<pos>,<pos>,…` for positions that left the spool.
// A reader that meets a record whose length runs past the end of the file (a torn write) or whose CRC
// does not match (corruption) stops there: every record before it is intact by construction.
import { crc32 } from 'node:zlib';

export const HEADER_BYTES = 8;
/** Larger than any event we accept (Discord caps gateway payloads far lower); a larger length is corruption. */
export const MAX_PAYLOAD_BYTES = 64 * 1024 * 1024;

export type LogRecord = { kind: 'event'; pos: number; json: string } | { kind: 'ack'; positions: number[] };

/** `prefix` + `text` as one record, encoded straight into it (no intermediate string or buffer). */
export function frame(prefix: string, text = ''): Buffer {
  const head = Buffer.byteLength(prefix, 'utf8');
  const length = head + Buffer.byteLength(text, 'utf8');
  const out = Buffer.allocUnsafe(HEADER_BYTES + length);
  out.write(prefix, HEADER_BYTES, 'utf8');
  out.write(text, HEADER_BYTES + head, 'utf8');
  out.writeUInt32LE(length, 0);
  out.writeUInt32LE(crc32(out.subarray(HEADER_BYTES)), 4);
  return out;
}

export const eventRecord = (pos: number, json: string): Buffer => frame(`E${pos} `, json);
export const ackRecord = (positions: readonly number[]): Buffer => frame(`A${positions.join(',')}`);

export interface BadRecord {
  offset: number;
  reason: string;
}

export interface ParsedLog {
  records: LogRecord[];
  /** Bytes of intact records from the start; the file is valid up to here. */
  validBytes: number;
  bad: BadRecord | null;
}

function parsePayload(text: string): LogRecord | string {
  if (text.startsWith('E')) {
    const space = text.indexOf(' ');
    const pos = Number(text.slice(1, space));
    if (space < 2 || !Number.isSafeInteger(pos)) return 'event record without a position';
    return { kind: 'event', pos, json: text.slice(space + 1) };
  }
  if (text.startsWith('A')) {
    const positions = text.slice(1).split(',').map(Number);
    if (!positions.every(Number.isSafeInteger)) return 'ack record with a bad position';
    return { kind: 'ack', positions };
  }
  return `unknown record kind ${JSON.stringify(text.slice(0, 1))}`;
}

/** Reads records until the end of the buffer or the first bad one. */
export function parseLog(buf: Buffer): ParsedLog {
  const records: LogRecord[] = [];
  let offset = 0;
  const stop = (reason: string): ParsedLog => ({ records, validBytes: offset, bad: { offset, reason } });
  while (offset < buf.length) {
    if (buf.length - offset < HEADER_BYTES)
      return stop(`torn record: ${buf.length - offset} bytes where an ${HEADER_BYTES}-byte header was expected`);
    const length = buf.readUInt32LE(offset);
    const crc = buf.readUInt32LE(offset + 4);
    if (length > MAX_PAYLOAD_BYTES) return stop(`record length ${length} is not plausible (corrupt header)`);
    const end = offset + HEADER_BYTES + length;
    if (end > buf.length)
      return stop(`torn record: header says ${length} bytes, ${buf.length - offset - HEADER_BYTES} present`);
    const payload = buf.subarray(offset + HEADER_BYTES, end);
    if (crc32(payload) !== crc) return stop('checksum mismatch');
    const record = parsePayload(payload.toString('utf8'));
    if (typeof record === 'string') return stop(record);
    records.push(record);
    offset = end;
  }
  return { records, validBytes: offset, bad: null };
}
