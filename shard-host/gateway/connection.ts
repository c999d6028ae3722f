// The I/O loop: one `ws` socket, its decoder, nothing else. Protocol decisions live in protocol.ts and
// shard.ts; this file only turns frames into JSON text and the shard's commands into frames.
import { WebSocket } from '../cjs.ts';
import type { Compression } from './inflate.ts';
import { createDecoder } from './inflate.ts';

export interface TransportEvents {
  /** One complete payload's JSON text; `bytes` is what arrived on the wire for it. */
  message(text: string, bytes: number): void;
  /** The socket closed without the client asking (server close, network loss). */
  close(code: number, reason: string): void;
  /** Socket or decode error; the shard answers with disconnect('error'). */
  error(error: Error): void;
}

export interface Transport {
  send(text: string): void;
  /** Closes with `code` (terminating after a grace period) and stops delivering events. */
  close(code: number, reason: string): Promise<void>;
  pause(): void;
  resume(): void;
}

export type Connect = (url: string, compress: Compression, events: TransportEvents) => Transport;

const CLOSE_GRACE_MS = 3_000;

export const connectWebSocket: Connect = (url, compress, events) => {
  // perMessageDeflate off: Discord compresses at the transport level (zlib-stream), not per message.
  const ws = new WebSocket(url, { perMessageDeflate: false });
  const decoder = createDecoder(compress);
  let detached = false;
  const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));

  ws.on('message', (raw: Buffer | ArrayBuffer | Buffer[]) => {
    if (detached) return;
    const data = Array.isArray(raw) ? Buffer.concat(raw) : Buffer.isBuffer(raw) ? raw : Buffer.from(raw);
    let text: string | null;
    try {
      text = decoder.push(data);
    } catch (err) {
      events.error(new Error('cannot decode gateway message', { cause: err }));
      return;
    }
    if (text !== null) events.message(text, data.length);
  });
  ws.on('close', (code: number, reason: Buffer) => {
    decoder.close();
    if (!detached) {
      detached = true;
      events.close(code, reason.toString('utf8'));
    }
  });
  ws.on('error', (err: Error) => {
    if (!detached) events.error(err);
  });

  return {
    send: (text) => {
      if (ws.readyState === WebSocket.OPEN) ws.send(text);
    },
    close(code, reason) {
      detached = true;
      if (ws.readyState === WebSocket.CONNECTING || ws.readyState === WebSocket.CLOSING) {
        ws.terminate();
      } else if (ws.readyState === WebSocket.OPEN) {
        ws.close(code, reason.slice(0, 120));
        // A zombied peer never answers the close frame; don't wait for ws's 30 s default.
        setTimeout(() => ws.terminate(), CLOSE_GRACE_MS).unref();
      }
      return closed;
    },
    pause: () => ws.pause(),
    resume: () => ws.resume(),
  };
};
