import { constants, inflateSync, createInflate } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type WebSocket from 'ws';
import { createEncoder } from '../../../emulator/gateway/encoder.ts';

// A stand-in socket that records what the encoder sends.
function fakeSocket() {
  const frames: Buffer[] = [];
  const ws = { readyState: 1, send: (data: Buffer) => frames.push(data) } as unknown as WebSocket;
  return { ws, frames };
}

async function inflateAll(frames: Buffer[]): Promise<string[]> {
  const inflate = createInflate();
  const out: string[] = [];
  let pending: Buffer[] = [];
  inflate.on('data', (c: Buffer) => pending.push(c));
  for (const frame of frames) {
    await new Promise<void>((resolve) => {
      inflate.write(frame);
      inflate.flush(constants.Z_SYNC_FLUSH, () => resolve());
    });
    out.push(Buffer.concat(pending).toString());
    pending = [];
  }
  return out;
}

describe.each([
  ['synchronous context', true],
  ['asynchronous fallback', false],
])('zlib-stream encoder (%s)', (_name, preferSync) => {
  it('emits one flushed frame per payload, in order, through one context', async () => {
    const { ws, frames } = fakeSocket();
    const encoder = createEncoder(ws, true, preferSync);
    // Large payloads too, so output spans more than one zlib output chunk.
    const payloads = Array.from({ length: 200 }, (_, i) =>
      JSON.stringify({ op: 0, s: i, d: { pad: 'x'.repeat(i % 7 === 0 ? 200_000 : 10) + i } }),
    );
    for (const p of payloads) encoder.send(p);
    await new Promise<void>((resolve) => encoder.afterQueued(resolve));
    expect(frames).toHaveLength(payloads.length);
    for (const frame of frames) expect([...frame.subarray(-4)]).toEqual([0, 0, 0xff, 0xff]);
    expect(await inflateAll(frames)).toEqual(payloads);
    // A later frame cannot be inflated alone: the context is shared across frames.
    expect(() => inflateSync(frames[1]!)).toThrow();
    encoder.dispose();
  });
});
