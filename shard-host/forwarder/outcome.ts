// What a response from /events means for the events it carried, as an ordered table: the first row whose
// status (and, for 409, parsed error code) matches decides. Retry is an explicit outcome; the delay comes
// from the forwarder's backoff unless the Worker said Retry-After.
import { ERROR_CODES, type ErrorBody } from '../../protocol/index.ts';

export type BatchOutcome =
  | { kind: 'per-event' }
  | { kind: 'retry'; reason: string; retryAfterMs?: number }
  | { kind: 'split'; reason: string }
  | { kind: 'dead-letter'; reason: string }
  | { kind: 'fenced'; reason: string };

type Kind = BatchOutcome['kind'];

interface Answer {
  status: number;
  /** `error.code` of a Worker error body (protocol/errors.ts ErrorBody), when the body is one. */
  code: string | undefined;
  body: string;
}

interface Rule {
  name: string;
  matches: (a: Answer) => boolean;
  kind: Kind;
  reason: (a: Answer) => string;
}

const excerpt = (body: string, n: number) => body.slice(0, n);

/** Statuses whose whole batch is retried: timeouts, rate limits, server errors (any 5xx). */
const RETRY_STATUSES = new Set([408, 425, 429]);

export const OUTCOME_RULES: readonly Rule[] = [
  { name: '200: per-event results', matches: (a) => a.status === 200, kind: 'per-event', reason: () => '' },
  // Host and Worker run different edgeshard versions: the events stay spooled until they match.
  {
    name: '503 batch_version: retry (upgrade the older side)',
    matches: (a) => a.status === 503 && a.code === ERROR_CODES.BATCH_VERSION,
    kind: 'retry',
    reason: (a) => `Worker refused the batch version (503): ${excerpt(a.body, 400)}`,
  },
  // A Worker from before batch version 2 answers 400 naming the version it expects.
  {
    name: '400 unsupported version (a Worker older than the host): retry',
    matches: (a) => a.status === 400 && a.code === ERROR_CODES.MALFORMED_BATCH && /unsupported version/.test(a.body),
    kind: 'retry',
    reason: (a) =>
      `the Worker is older than this shard host and refused its batch version (400): ${excerpt(a.body, 200)} — deploy the Worker (wrangler deploy) from the same edgeshard version; the events stay spooled until then`,
  },
  {
    name: '408/425/429/5xx: retry the whole batch',
    matches: (a) => RETRY_STATUSES.has(a.status) || a.status >= 500,
    kind: 'retry',
    reason: (a) => `Worker answered ${a.status}`,
  },
  // A wrong secret or a clock off by minutes is fixable by the operator; dropping events would not be.
  {
    name: '401: retry (fixable signature or clock)',
    matches: (a) => a.status === 401,
    kind: 'retry',
    reason: (a) =>
      `Worker refused the signature (401): ${excerpt(a.body, 200)} — check EDGESHARD_SECRET on both sides and the host clock`,
  },
  {
    name: '413: split the batch',
    matches: (a) => a.status === 413,
    kind: 'split',
    reason: () => 'Worker refused the batch as too large (413)',
  },
  // Another host owns the shard at a newer epoch and resumed its session from the last acknowledged
  // sequence, so the platform replays these events to it: this host drops them (counted), no dead letter.
  {
    name: '409 stale_epoch: fenced',
    matches: (a) => a.status === 409 && a.code === ERROR_CODES.STALE_EPOCH,
    kind: 'fenced',
    reason: (a) => `Worker refused a stale lease epoch (409): ${excerpt(a.body, 200)}`,
  },
  {
    name: 'any other status: dead-letter',
    matches: () => true,
    kind: 'dead-letter',
    reason: (a) => `Worker answered ${a.status}: ${excerpt(a.body, 300)}`,
  },
];

/** The `error.code` of an ErrorBody, or undefined when the body is not one (a proxy's HTML page, say). */
export function errorCode(body: string): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  const error = (parsed as Partial<ErrorBody> | null)?.error;
  return typeof error === 'object' && error !== null && typeof error.code === 'string' ? error.code : undefined;
}

/** Retry-After in seconds (RFC 9110 §10.2.3, delay-seconds form) as ms; undefined when absent or a date. */
function retryAfterMs(header: string | null): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const seconds = Number(header);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
}

export function classifyResponse(status: number, retryAfter: string | null, body: string): BatchOutcome {
  const answer: Answer = { status, code: status === 200 ? undefined : errorCode(body), body };
  const rule = OUTCOME_RULES.find((r) => r.matches(answer))!;
  switch (rule.kind) {
    case 'per-event':
      return { kind: 'per-event' };
    case 'retry': {
      const ms = status === 401 ? undefined : retryAfterMs(retryAfter);
      return { kind: 'retry', reason: rule.reason(answer), ...(ms === undefined ? {} : { retryAfterMs: ms }) };
    }
    default:
      return { kind: rule.kind, reason: rule.reason(answer) };
  }
}
