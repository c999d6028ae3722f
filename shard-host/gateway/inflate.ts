// Transport compression for one connection. Discord docs, Topics > Gateway > Transport Compression:
// with `compress=zlib-stream` the whole connection is ONE zlib stream; every payload ends with a
// Z_SYNC_FLUSH, i.e. the 4-byte suffix 00 00 ff ff, and a payload may span several websocket messages.
// So: one Inflate context per connection, buffer until the suffix, then inflate what was buffered.
//
// Approach (the one the `fast-zlib` package uses): `zlib.createInflate()` owns the context, and
// `_processChunk(buf, Z_SYNC_FLUSH)` without a callback runs it synchronously; it is the path
// `zlib.inflateSync()` uses internally. That path closes the native handle when done, so we make the
// handle's close() a no-op for the call and put the handle back: the context survives across payloads.
// Synchronous per payload keeps ordering trivial and lets the caller apply backpressure by not reading, with
// no hidden stream buffer (the async stream API would queue writes without bound). The private names are
// checked at construction, with a clear error if a Node version lacks them.
import zlib from 'node:zlib';
import { EdgeshardError } from '../../protocol/errors.ts';

export type Compression = 'zlib-stream' | 'zstd-stream' | 'none';

export interface Decoder {
  /** Feeds one websocket message; returns the next complete JSON text, or null while a payload is partial. */
  push(data: Buffer | string): string | null;
  close(): void;
}

interface NativeHandle {
  close(): void;
}

interface SyncEngine {
  _handle: NativeHandle | null;
  _processChunk(chunk: Buffer, flushFlag: number): Buffer;
  on(event: 'error', listener: (err: Error) => void): unknown;
  listeners(event: 'error'): Array<(...args: never[]) => void>;
  removeListener(event: 'error', listener: (...args: never[]) => void): unknown;
  close(): void;
}

const ZLIB_SUFFIX = Buffer.from([0x00, 0x00, 0xff, 0xff]);

export function zstdAvailable(): boolean {
  return typeof (zlib as { createZstdDecompress?: unknown }).createZstdDecompress === 'function';
}

/** The query-string part that asks the gateway for this compression. */
export function compressParam(kind: Compression): string {
  return kind === 'none' ? '' : `&compress=${kind}`;
}

export function createDecoder(kind: Compression): Decoder {
  switch (kind) {
    case 'none':
      return { push: (data) => (typeof data === 'string' ? data : data.toString('utf8')), close: () => {} };
    case 'zlib-stream':
      return new StreamDecoder(zlib.createInflate() as unknown as SyncEngine, zlib.constants.Z_SYNC_FLUSH, ZLIB_SUFFIX);
    case 'zstd-stream': {
      // Each zstd-stream message holds whole, flushed payload bytes; there is no suffix to wait for.
      if (!zstdAvailable()) {
        throw new EdgeshardError(
          'not_available',
          'compress=zstd-stream needs Node with zlib.createZstdDecompress (>= 22.15)',
        );
      }
      const z = zlib as unknown as { createZstdDecompress(): SyncEngine; constants: Record<string, number> };
      return new StreamDecoder(z.createZstdDecompress(), z.constants.ZSTD_e_flush ?? 1, null);
    }
  }
}

class StreamDecoder implements Decoder {
  readonly #engine: SyncEngine;
  readonly #flush: number;
  readonly #suffix: Buffer | null;
  #pending: Buffer[] = [];

  constructor(engine: SyncEngine, flush: number, suffix: Buffer | null) {
    if (typeof engine._processChunk !== 'function' || typeof engine._handle?.close !== 'function') {
      throw new EdgeshardError(
        'not_available',
        'this Node version lacks synchronous zlib streams; use compress "none"',
      );
    }
    this.#engine = engine;
    this.#flush = flush;
    this.#suffix = suffix;
    // zlib also reports a data error by destroying the stream (an async 'error' event); the synchronous
    // throw below already tells the caller, so that event only needs a listener.
    engine.on('error', () => {});
  }

  push(data: Buffer | string): string | null {
    const chunk = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
    this.#pending.push(chunk);
    if (this.#suffix && !endsWith(chunk, this.#suffix, this.#pending)) return null;
    const input = this.#pending.length === 1 ? this.#pending[0]! : Buffer.concat(this.#pending);
    this.#pending = [];
    return this.#run(input);
  }

  #run(input: Buffer): string {
    const engine = this.#engine;
    const handle = engine._handle;
    if (!handle) throw new EdgeshardError('not_available', 'the inflate context was closed by an earlier error');
    const close = handle.close;
    handle.close = () => {};
    const listeners = engine.listeners('error').length;
    let ok = false;
    try {
      // The result may view the engine's reusable output buffer: decode it before the next call.
      const text = engine._processChunk(input, this.#flush).toString('utf8');
      ok = true;
      return text;
    } finally {
      handle.close = close;
      // _processChunk adds one 'error' listener per call: drop it, or they pile up.
      for (const l of engine.listeners('error').slice(listeners)) engine.removeListener('error', l);
      // After corrupt input the context is unusable; leave it closed so the next push fails clearly.
      if (ok) engine._handle = handle;
      else safely(() => close.call(handle));
    }
  }

  close(): void {
    this.#pending = [];
    this.#engine.close();
  }
}

/** True when the concatenation of `pending` ends with `suffix`; handles a suffix split across chunks. */
function endsWith(last: Buffer, suffix: Buffer, pending: Buffer[]): boolean {
  if (last.length >= suffix.length) return last.subarray(last.length - suffix.length).equals(suffix);
  const tail = Buffer.concat(pending);
  return tail.length >= suffix.length && tail.subarray(tail.length - suffix.length).equals(suffix);
}

function safely(fn: () => void): void {
  try {
    fn();
  } catch {
    // already closed by zlib's own error path
  }
}
