// A minimal gateway client for the emulator tests: records every payload (inflating zlib-stream frames with
// one inflate context per connection) and lets a test wait for the next payload matching a predicate.
import { constants, createInflate } from 'node:zlib';
import WebSocket, { type RawData } from 'ws';

export interface Payload {
  op: number;
  d: any;
  s: number | null;
  t: string | null;
}

export interface TestClient {
  ws: WebSocket;
  payloads: Payload[];
  rawFrames: Buffer[];
  next(predicate: (p: Payload) => boolean, timeoutMs?: number): Promise<Payload>;
  send(op: number, d: unknown): void;
  closed: Promise<{ code: number; reason: string }>;
  close(code?: number): Promise<void>;
}

export function connect(url: string, query = 'v=10&encoding=json'): Promise<TestClient> {
  const ws = new WebSocket(`${url}?${query}`, { perMessageDeflate: false });
  const compressed = query.includes('compress=zlib-stream');
  const payloads: Payload[] = [];
  const rawFrames: Buffer[] = [];
  const waiters: { predicate: (p: Payload) => boolean; resolve: (p: Payload) => void }[] = [];
  const inflate = createInflate();
  const pending: Buffer[] = [];

  const deliver = (p: Payload) => {
    payloads.push(p);
    for (const w of [...waiters]) {
      if (w.predicate(p)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(p);
      }
    }
  };
  inflate.on('data', (chunk: Buffer) => pending.push(chunk));

  // Frames are inflated strictly in order: each is written, then flushed, then parsed.
  let chain = Promise.resolve();
  ws.on('message', (raw: RawData, isBinary) => {
    const data = raw as Buffer;
    rawFrames.push(data);
    if (!compressed) return deliver(JSON.parse(data.toString()) as Payload);
    if (!isBinary) throw new Error('expected a binary frame with zlib-stream');
    chain = chain.then(
      () =>
        new Promise<void>((resolve) => {
          inflate.write(data);
          inflate.flush(constants.Z_SYNC_FLUSH, () => {
            const text = Buffer.concat(pending.splice(0)).toString();
            deliver(JSON.parse(text) as Payload);
            resolve();
          });
        }),
    );
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  const client: TestClient = {
    ws,
    payloads,
    rawFrames,
    closed,
    next(predicate, timeoutMs = 5000) {
      const already = payloads.find(predicate);
      if (already) {
        payloads.splice(payloads.indexOf(already), 1);
        return Promise.resolve(already);
      }
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('timed out waiting for a payload')), timeoutMs);
        waiters.push({
          predicate,
          resolve: (p) => {
            clearTimeout(timer);
            payloads.splice(payloads.indexOf(p), 1);
            resolve(p);
          },
        });
      });
    },
    send(op, d) {
      ws.send(JSON.stringify({ op, d }));
    },
    async close(code = 4000) {
      if (ws.readyState === WebSocket.CLOSED) return;
      ws.close(code);
      await closed;
    },
  };
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(client));
    ws.once('error', reject);
  });
}

export const op = (n: number) => (p: Payload) => p.op === n;
export const event = (t: string) => (p: Payload) => p.op === 0 && p.t === t;

export function identifyPayload(token: string, shard: [number, number], intents = 1 | (1 << 9) | (1 << 15)) {
  return { token, intents, properties: { os: 'linux', browser: 'test', device: 'test' }, shard };
}

export async function identify(url: string, token: string, shard: [number, number], intents?: number, query?: string) {
  const client = await connect(url, query);
  await client.next(op(10));
  client.send(2, identifyPayload(token, shard, intents));
  const ready = await client.next((p) => p.op === 9 || (p.op === 0 && p.t === 'READY'));
  if (ready.op === 9) throw new Error(`identify for shard ${shard[0]} was answered with op 9`);
  return { client, ready };
}

/** Polls until fn() is truthy; for state that changes when the emulator processes a frame. */
export async function waitFor<T>(fn: () => T, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = fn();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting for a condition');
    await new Promise((r) => setTimeout(r, 5));
  }
}
