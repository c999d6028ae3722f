// A synchronous deflate context for zlib-stream. Node's zlib only exposes a streaming context through the
// asynchronous Transform, whose thread-pool round trip per payload limits a connection to a few thousand
// frames per second. This drives the same native handle synchronously, as Node's own deflateSync does
// internally, but without closing it after one call, so the context lives as long as the connection.
// It relies on Node internals (_handle.writeSync, _writeState); createSyncDeflate returns undefined when they are
// missing and the caller falls back to the asynchronous stream.
import { constants, createDeflate } from 'node:zlib';

interface ZlibHandle {
  writeSync(
    flush: number,
    input: Buffer,
    inOff: number,
    inLen: number,
    out: Buffer,
    outOff: number,
    outLen: number,
  ): void;
  params(level: number, strategy: number): void;
}

export interface SyncDeflate {
  /** Deflates one payload and flushes with Z_SYNC_FLUSH; the result ends in 00 00 ff ff. */
  push(input: Buffer): Buffer;
  /** Changes the compression level from the next payload on (deflateParams; every push ends flushed, so
   *  zlib has nothing pending to emit). Blast mode uses it to make the emulator outrun a client. */
  setLevel(level: number): void;
  close(): void;
}

const OUT_CHUNK = 64 * 1024;

export function createSyncDeflate(): SyncDeflate | undefined {
  const stream = createDeflate();
  const internals = stream as unknown as { _handle?: ZlibHandle; _writeState?: Uint32Array };
  const handle = internals._handle;
  const state = internals._writeState;
  if (!handle || typeof handle.writeSync !== 'function' || !(state instanceof Uint32Array)) {
    stream.destroy();
    return undefined;
  }
  let failure: unknown;
  stream.on('error', (err) => (failure = err));
  let out = Buffer.allocUnsafe(OUT_CHUNK);

  return {
    push(input) {
      const parts: Buffer[] = [];
      let inOff = 0;
      let inLen = input.length;
      for (;;) {
        handle.writeSync(constants.Z_SYNC_FLUSH, input, inOff, inLen, out, 0, out.length);
        if (failure) throw failure;
        const availOut = state[0] ?? 0;
        const availIn = state[1] ?? 0;
        const produced = out.length - availOut;
        // Copy out: the scratch buffer is reused, while ws may still hold the frame in its send queue.
        if (produced > 0) parts.push(Buffer.from(out.subarray(0, produced)));
        if (availOut !== 0) break;
        // Output buffer full: zlib has more to give for the same input.
        inOff += inLen - availIn;
        inLen = availIn;
        out = Buffer.allocUnsafe(OUT_CHUNK);
      }
      return parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts);
    },
    setLevel(level) {
      handle.params(level, constants.Z_DEFAULT_STRATEGY);
    },
    close() {
      stream.destroy();
    },
  };
}
