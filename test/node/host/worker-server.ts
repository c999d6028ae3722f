// A stand-in for the Worker's /events in forwarder unit tests: a real HTTP server on 127.0.0.1 that checks
// each batch's signature the way the Worker does and answers as `answer` says.
import { createServer } from 'node:http';
import {
  parseEventBatch,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  verify,
  type EventBatch,
  type EventEnvelope,
  type EventOutcome,
} from '../../../protocol/index.ts';

export const SECRET = 'forwarder-test-secret';

export interface Reply {
  status: number;
  /** Per-event outcome of a 200 answer, optionally with the handler's error text. */
  outcome?: (e: EventEnvelope) => EventOutcome | { outcome: EventOutcome; error: string };
  headers?: Record<string, string>;
  /** Body for non-200 answers. */
  body?: string;
}

export async function workerServer(answer: (batch: EventBatch, n: number) => Reply, onBatch?: () => void) {
  const batches: EventBatch[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', async () => {
      await verify(
        SECRET,
        { timestamp: req.headers[TIMESTAMP_HEADER] as string, signature: req.headers[SIGNATURE_HEADER] as string },
        body,
      );
      const batch = parseEventBatch(JSON.parse(body));
      batches.push(batch);
      onBatch?.();
      const reply = answer(batch, batches.length);
      res.statusCode = reply.status;
      for (const [k, v] of Object.entries(reply.headers ?? {})) res.setHeader(k, v);
      res.end(
        reply.status === 200
          ? JSON.stringify({
              v: 1,
              results: batch.events.map((e) => {
                const o = reply.outcome?.(e) ?? 'ack';
                return typeof o === 'string' ? { id: e.id, outcome: o } : { id: e.id, ...o };
              }),
            })
          : (reply.body ?? '{}'),
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, batches, close: () => new Promise<void>((r) => server.close(() => r())) };
}
