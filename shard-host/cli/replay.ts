// Re-delivers dead letters to the Worker's /events as signed batches marked `replay` (no epoch fence:
// no shard owner is sending them), several shards per batch, and records each event's fate in the replay
// marker file: acknowledged → `replayed` (never listed or replayed again); failed again → `failed` with
// the Worker's new error (still listed). A batch that got no per-event answer changes nothing.
import { PROTOCOL_VERSION, type BatchResponse, type EventBatch } from '../../protocol/index.ts';
import { classifyResponse } from '../forwarder/outcome.ts';
import type { BatchTransport } from '../forwarder/transport.ts';
import type { DeadLetter, DeadLetterList } from '../spool/dead-letter-list.ts';

export interface ReplayReport {
  replayed: string[];
  /** The Worker answered for these and they failed again: still listed, with this reason. */
  failed: { id: string; reason: string }[];
  /** No per-event answer (Worker unreachable, 5xx, 429, 401): untouched, try again later. */
  notSent: { id: string; reason: string }[];
}

export interface ReplayOptions {
  hostId: string;
  maxEvents?: number;
  maxBytes?: number;
}

/** Splits the dead letters into batches within the limits (at least one event each). */
function chunks(letters: readonly DeadLetter[], maxEvents: number, maxBytes: number): DeadLetter[][] {
  const out: DeadLetter[][] = [];
  let current: DeadLetter[] = [];
  let bytes = 0;
  for (const letter of letters) {
    const size = JSON.stringify(letter.event).length;
    if (current.length > 0 && (current.length >= maxEvents || bytes + size > maxBytes)) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(letter);
    bytes += size;
  }
  if (current.length > 0) out.push(current);
  return out;
}

export async function replayDeadLetters(
  list: DeadLetterList,
  transport: BatchTransport,
  options: ReplayOptions,
): Promise<ReplayReport> {
  const report: ReplayReport = { replayed: [], failed: [], notSent: [] };
  for (const chunk of chunks(list.outstanding(), options.maxEvents ?? 100, options.maxBytes ?? 512 * 1024)) {
    const events = chunk.map((l) => l.event);
    // Not fenced (replay): the epochs are 0, one per shard the chunk carries (batch version 2).
    const epochs = Object.fromEntries(events.map((e) => [String(e.shard), 0]));
    const batch: EventBatch = { v: PROTOCOL_VERSION, host: options.hostId, epochs, replay: true, events };
    await sendChunk(list, transport, chunk, JSON.stringify(batch), report);
  }
  return report;
}

async function sendChunk(
  list: DeadLetterList,
  transport: BatchTransport,
  chunk: DeadLetter[],
  body: string,
  report: ReplayReport,
): Promise<void> {
  const notSent = (reason: string): void => {
    report.notSent.push(...chunk.map((l) => ({ id: l.event.id, reason })));
  };
  const failed = (letter: DeadLetter, reason: string) => {
    list.mark(letter, 'failed', reason);
    report.failed.push({ id: letter.event.id, reason });
  };
  const reply = await transport.send(body);
  if (reply.kind === 'unreachable') return notSent(`cannot reach the Worker at ${transport.target}: ${reply.error}`);
  const outcome = classifyResponse(reply.status, reply.retryAfter, reply.text);
  switch (outcome.kind) {
    case 'per-event':
      break;
    case 'dead-letter':
      // The Worker refused the batch itself (a 4xx): news about these events, recorded as their reason.
      for (const letter of chunk) failed(letter, outcome.reason);
      return;
    default:
      return notSent(outcome.reason);
  }
  let results: Map<string, BatchResponse['results'][number]>;
  try {
    const parsed = JSON.parse(reply.text) as BatchResponse;
    if (!Array.isArray(parsed.results)) throw new Error('no results array');
    results = new Map(parsed.results.map((r) => [r.id, r]));
  } catch (err) {
    return notSent(`Worker answered 200 with an unreadable body: ${(err as Error).message}`);
  }
  for (const letter of chunk) {
    const result = results.get(letter.event.id);
    if (result?.outcome === 'ack') {
      list.mark(letter, 'replayed');
      report.replayed.push(letter.event.id);
    } else
      failed(
        letter,
        result?.error ?? (result ? `Worker answered ${result.outcome}` : 'the Worker did not answer for this event'),
      );
  }
}
