// A stand-in for the Worker's /events in forwarder unit tests: a real HTTP server on 127.0.0.1 that checks
// each batch's signature and shape the way the Worker does (a bad one is answered with the Worker's status
// and error body: 401, 400, 503 batch_version for another batch version) and answers as `answer` says.
// Batches are version 2: several shards' events, each shard with its lease epoch (`fencedBelow` answers a
// stale shard's events `fenced`, per shard, as the Worker's coordinator does).
import { createServer } from 'node:http';
import {
  EdgeshardError,
  epochOf,
  ERROR_CODES,
  errorBody,
  parseEventBatch,
  PROTOCOL_VERSION,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  verify,
  type EventBatch,
  type EventEnvelope,
  type EventOutcome,
  type ShardEpochs,
} from '../../../protocol/index.ts';
import { staleEpoch } from '../../../workers/delivery/refusals.ts';
import { statusFor } from '../../../workers/errors.ts';

export const SECRET = 'forwarder-test-secret';

type Outcome = EventOutcome | { outcome: EventOutcome; error: string };

export interface Reply {
  status: number;
  /** Per-event outcome of a 200 answer, optionally with the handler's error text. */
  outcome?: (e: EventEnvelope) => Outcome;
  headers?: Record<string, string>;
  /** Body for non-200 answers. */
  body?: string;
}

/**
 * Per-shard fencing as the Worker answers it: an event whose shard's epoch in `batch` is below `current`'s
 * entry for that shard is `fenced` (with the Worker's error text); the others get `otherwise` (default ack).
 * Use as `outcome: fencedBelow(batch, { 1: 3 })`.
 */
export function fencedBelow(
  batch: EventBatch,
  current: ShardEpochs,
  otherwise: (e: EventEnvelope) => Outcome = () => 'ack',
): (e: EventEnvelope) => Outcome {
  return (e) => {
    const now = current[String(e.shard)];
    const sent = epochOf(batch, e.shard);
    if (now === undefined || sent >= now) return otherwise(e);
    return { outcome: 'fenced', error: staleEpoch(batch.host, sent, e.shard, now) };
  };
}

export async function workerServer(answer: (batch: EventBatch, n: number) => Reply, onBatch?: () => void) {
  const batches: EventBatch[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', async () => {
      let batch: EventBatch;
      try {
        await verify(
          SECRET,
          { timestamp: req.headers[TIMESTAMP_HEADER] as string, signature: req.headers[SIGNATURE_HEADER] as string },
          body,
        );
        batch = parseEventBatch(JSON.parse(body));
      } catch (caught) {
        const err =
          caught instanceof EdgeshardError
            ? caught
            : new EdgeshardError(ERROR_CODES.MALFORMED_BATCH, 'malformed event batch: body is not JSON');
        res.statusCode = statusFor(err.code);
        res.setHeader('content-type', 'application/json');
        return res.end(JSON.stringify(errorBody(err)));
      }
      batches.push(batch);
      onBatch?.();
      const reply = answer(batch, batches.length);
      res.statusCode = reply.status;
      for (const [k, v] of Object.entries(reply.headers ?? {})) res.setHeader(k, v);
      res.end(
        reply.status === 200
          ? JSON.stringify({
              v: PROTOCOL_VERSION,
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
