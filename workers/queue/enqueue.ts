// Queue mode intake: /events puts every event of a verified batch on a Cloudflare Queue and answers
// `ack` once the queue holds it; the consumer (consumer.ts) runs the handlers with the queue's retries.
// Limits (Queues > Platform > Limits): 128 KB per message, 100 messages and 256 KB per sendBatch.
import type { EventEnvelope, EventResult } from '../../protocol/index.ts';

/** Below 128 KB, leaving room for the queue's own per-message metadata. */
export const MAX_MESSAGE_BYTES = 120 * 1024;
export const MAX_SEND_MESSAGES = 100;
export const MAX_SEND_BYTES = 240 * 1024;

const encoder = new TextEncoder();

export interface Chunked {
  chunks: EventEnvelope[][];
  /** Too large for a queue message: the route dispatches these directly instead. */
  tooLarge: EventEnvelope[];
}

export function chunkForQueue(events: readonly EventEnvelope[]): Chunked {
  const chunks: EventEnvelope[][] = [];
  const tooLarge: EventEnvelope[] = [];
  let current: EventEnvelope[] = [];
  let bytes = 0;
  for (const event of events) {
    const size = encoder.encode(JSON.stringify(event)).byteLength;
    if (size > MAX_MESSAGE_BYTES) {
      tooLarge.push(event);
      continue;
    }
    if (current.length >= MAX_SEND_MESSAGES || bytes + size > MAX_SEND_BYTES) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(event);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return { chunks, tooLarge };
}

/** Sends the chunks; a chunk the queue refused is answered `retry`, so the host sends it again. */
export async function enqueue(queue: Queue<EventEnvelope>, chunks: readonly EventEnvelope[][]): Promise<EventResult[]> {
  const settled = await Promise.allSettled(
    chunks.map((chunk) => queue.sendBatch(chunk.map((body) => ({ body, contentType: 'json' as const })))),
  );
  return settled.flatMap((s, i) =>
    chunks[i]!.map((event): EventResult =>
      s.status === 'fulfilled'
        ? { id: event.id, outcome: 'ack' }
        : {
            id: event.id,
            outcome: 'retry',
            error: `queue refused the events: ${s.reason instanceof Error ? s.reason.message : 'unknown error'}`,
          },
    ),
  );
}
