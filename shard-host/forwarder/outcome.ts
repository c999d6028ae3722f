// What a response from /events means for the events it carried. Retry is an explicit outcome; the
// delay comes from backoff() unless the Worker said Retry-After.

export type BatchOutcome =
  | { kind: 'per-event' }
  | { kind: 'retry'; reason: string; retryAfterMs?: number }
  | { kind: 'split'; reason: string }
  | { kind: 'dead-letter'; reason: string }
  | { kind: 'fenced'; reason: string };

/** Statuses whose whole batch is retried: server errors, timeouts, rate limits. */
const RETRY = new Set([408, 425, 429, 500, 502, 503, 504]);

export function classifyResponse(status: number, retryAfter: string | null, body: string): BatchOutcome {
  if (status === 200) return { kind: 'per-event' };
  const retryAfterMs =
    retryAfter !== null && Number.isFinite(Number(retryAfter)) ? Number(retryAfter) * 1000 : undefined;
  if (RETRY.has(status) || status >= 500) {
    return {
      kind: 'retry',
      reason: `Worker answered ${status}`,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    };
  }
  // A wrong secret or a clock off by minutes is fixable by the operator; dropping events would not be.
  if (status === 401)
    return {
      kind: 'retry',
      reason: `Worker refused the signature (401): ${body.slice(0, 200)} — check EDGESHARD_SECRET on both sides and the host clock`,
    };
  if (status === 413) return { kind: 'split', reason: 'Worker refused the batch as too large (413)' };
  // Another host owns the shard at a newer epoch and resumed its session from the last acknowledged
  // sequence, so the platform replays these events to it: this host drops them (counted), no dead letter.
  if (status === 409 && body.includes('stale_epoch'))
    return { kind: 'fenced', reason: `Worker refused a stale lease epoch (409): ${body.slice(0, 200)}` };
  return { kind: 'dead-letter', reason: `Worker answered ${status}: ${body.slice(0, 300)}` };
}
