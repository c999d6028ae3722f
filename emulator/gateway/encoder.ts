// Outgoing frames for one connection. Plain JSON goes out as text frames. With compress=zlib-stream every
// payload goes through one deflate context that lives as long as the connection and is flushed with
// Z_SYNC_FLUSH, so each binary frame ends in 00 00 ff ff (Discord docs, Topics > Gateway > Transport
// Compression). Frame order is the order of send() calls.
import { constants, createDeflate, type Deflate } from 'node:zlib';
import WebSocket from 'ws';
import { createSyncDeflate, type SyncDeflate } from './sync-deflate.ts';

export interface FrameEncoder {
  send(text: string): void;
  /** Runs fn once every frame queued so far has been handed to the socket. */
  afterQueued(fn: () => void): void;
  /** Deflate level from now on, where the encoder supports it (the synchronous zlib-stream one). */
  setLevel?(level: number): void;
  dispose(): void;
}

/** `preferSync: false` forces the asynchronous fallback (tests use it to cover both paths). */
export function createEncoder(ws: WebSocket, compress: boolean, preferSync = true): FrameEncoder {
  if (!compress) return new PlainEncoder(ws);
  const sync = preferSync ? createSyncDeflate() : undefined;
  return sync ? new SyncZlibEncoder(ws, sync) : new ZlibStreamEncoder(ws);
}

class PlainEncoder implements FrameEncoder {
  readonly #ws: WebSocket;
  constructor(ws: WebSocket) {
    this.#ws = ws;
  }
  send(text: string): void {
    if (this.#ws.readyState === WebSocket.OPEN) this.#ws.send(text);
  }
  afterQueued(fn: () => void): void {
    fn();
  }
  dispose(): void {}
}

class SyncZlibEncoder implements FrameEncoder {
  readonly #ws: WebSocket;
  readonly #deflate: SyncDeflate;
  constructor(ws: WebSocket, deflate: SyncDeflate) {
    this.#ws = ws;
    this.#deflate = deflate;
  }
  send(text: string): void {
    if (this.#ws.readyState !== WebSocket.OPEN) return;
    this.#ws.send(this.#deflate.push(Buffer.from(text)), { binary: true });
  }
  afterQueued(fn: () => void): void {
    fn();
  }
  setLevel(level: number): void {
    this.#deflate.setLevel(level);
  }
  dispose(): void {
    this.#deflate.close();
  }
}

// Fallback when the synchronous context is unavailable. Payloads are pipelined: each is written at once, and its write callback collects what the
// deflate stream emitted since the previous payload's callback. That split is exact because a Transform runs one chunk at a
// time: the output of payload N is pushed (and, in flowing mode, emitted as 'data') before N's callback runs,
// and payload N+1 is only handed to zlib's thread pool after that. Serializing instead (one payload in flight)
// caps a connection at a few thousand frames per second.
class ZlibStreamEncoder implements FrameEncoder {
  readonly #ws: WebSocket;
  // flush: Z_SYNC_FLUSH makes every write end on a byte boundary with 00 00 ff ff: one zlib call per payload.
  readonly #deflate: Deflate = createDeflate({ flush: constants.Z_SYNC_FLUSH });
  #chunks: Buffer[] = [];
  #inFlight = 0;
  #afterDrain: (() => void)[] = [];
  #disposed = false;

  constructor(ws: WebSocket) {
    this.#ws = ws;
    this.#deflate.on('data', (chunk: Buffer) => this.#chunks.push(chunk));
    this.#deflate.on('error', () => this.dispose());
  }

  send(text: string): void {
    if (this.#disposed) return;
    this.#inFlight++;
    this.#deflate.write(text, () => {
      this.#inFlight--;
      const frame = this.#chunks.length === 1 ? (this.#chunks[0] as Buffer) : Buffer.concat(this.#chunks);
      this.#chunks = [];
      if (!this.#disposed && this.#ws.readyState === WebSocket.OPEN) this.#ws.send(frame, { binary: true });
      if (this.#inFlight === 0) this.#drained();
    });
  }

  afterQueued(fn: () => void): void {
    if (this.#inFlight === 0) fn();
    else this.#afterDrain.push(fn);
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#deflate.destroy();
    this.#drained();
  }

  #drained(): void {
    const waiting = this.#afterDrain;
    this.#afterDrain = [];
    for (const fn of waiting) fn();
  }
}
