import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createDecoder, zstdAvailable } from '../../../shard-host/gateway/inflate.ts';

/** Compresses payloads the way the gateway does: one deflate stream, Z_SYNC_FLUSH after each payload. */
async function zlibStream(payloads: string[]): Promise<Buffer[]> {
  const deflate = zlib.createDeflate();
  const out: Buffer[] = [];
  const frames: Buffer[] = [];
  deflate.on('data', (chunk: Buffer) => out.push(chunk));
  for (const p of payloads) {
    deflate.write(p);
    await new Promise<void>((resolve) => deflate.flush(zlib.constants.Z_SYNC_FLUSH, () => resolve()));
    frames.push(Buffer.concat(out.splice(0)));
  }
  deflate.close();
  return frames;
}

const payloads = [
  JSON.stringify({ op: 10, d: { heartbeat_interval: 41_250 } }),
  JSON.stringify({ op: 0, s: 1, t: 'READY', d: { session_id: 'abc', big: 'x'.repeat(200_000) } }),
  JSON.stringify({ op: 0, s: 2, t: 'MESSAGE_CREATE', d: { content: 'héllo 👋' } }),
  JSON.stringify({ op: 11 }),
];

describe('zlib-stream decoder', () => {
  it('inflates a multi-message stream with one context', async () => {
    const frames = await zlibStream(payloads);
    for (const f of frames) expect(f.subarray(-4)).toEqual(Buffer.from([0, 0, 0xff, 0xff]));
    const decoder = createDecoder('zlib-stream');
    expect(frames.map((f) => decoder.push(f))).toEqual(payloads);
    decoder.close();
  });

  it('buffers a payload split across websocket messages, including a split suffix', async () => {
    const frames = await zlibStream(payloads);
    const decoder = createDecoder('zlib-stream');
    const out: Array<string | null> = [];
    for (const f of frames) {
      const cut = f.length - 2; // the 00 00 ff ff suffix straddles two messages
      out.push(decoder.push(f.subarray(0, 1)), decoder.push(f.subarray(1, cut)), decoder.push(f.subarray(cut)));
    }
    expect(out.filter((x) => x !== null)).toEqual(payloads);
    expect(out.filter((x) => x === null)).toHaveLength(payloads.length * 2);
  });

  it('a later payload needs the earlier context: a fresh decoder cannot read it', async () => {
    const repeated = ['{"a":"same text same text"}', '{"a":"same text same text"}'];
    const frames = await zlibStream(repeated);
    expect(() => createDecoder('zlib-stream').push(frames[1]!)).toThrow();
  });

  it('throws on corrupt input and stays failed', () => {
    const decoder = createDecoder('zlib-stream');
    expect(() => decoder.push(Buffer.from([1, 2, 3, 4, 0, 0, 0xff, 0xff]))).toThrow();
    expect(() => decoder.push(Buffer.from([0, 0, 0xff, 0xff]))).toThrow();
  });

  it("'none' passes text through", () => {
    const decoder = createDecoder('none');
    expect(decoder.push('{"op":11}')).toBe('{"op":11}');
    expect(decoder.push(Buffer.from('{"op":1}'))).toBe('{"op":1}');
  });

  it.runIf(zstdAvailable())('zstd-stream decodes flushed frames with one context', async () => {
    const z = zlib as unknown as { createZstdCompress(): zlib.Deflate; constants: Record<string, number> };
    const c = z.createZstdCompress();
    const out: Buffer[] = [];
    c.on('data', (chunk: Buffer) => out.push(chunk));
    const decoder = createDecoder('zstd-stream');
    for (const p of payloads) {
      c.write(p);
      await new Promise<void>((resolve) => c.flush(z.constants.ZSTD_e_flush!, () => resolve()));
      expect(decoder.push(Buffer.concat(out.splice(0)))).toBe(p);
    }
    c.close();
  });
});
