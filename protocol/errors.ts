// Typed errors shared by the host and the Worker. Each carries a machine code, a message that names the
// fix, and an optional cause. The Worker maps them to HTTP responses in one place (workers/errors.ts).

export const ERROR_CODES = {
  BAD_SIGNATURE: 'bad_signature',
  STALE_TIMESTAMP: 'stale_timestamp',
  MISSING_AUTH: 'missing_auth',
  MALFORMED_BATCH: 'malformed_batch',
  BODY_TOO_LARGE: 'body_too_large',
  CONFIG_INVALID: 'config_invalid',
  UPSTREAM_HTTP: 'upstream_http',
  RATE_LIMITED: 'rate_limited',
  GATEWAY_FATAL: 'gateway_fatal',
  NOT_AVAILABLE: 'not_available',
  HANDLER_FAILED: 'handler_failed',
  STALE_EPOCH: 'stale_epoch',
  LEASE_PROTOCOL: 'lease_protocol',
  BAD_TOKEN: 'bad_token',
  STATUS_DISABLED: 'status_disabled',
  /** A platform webhook (Discord interaction, QQ callback) whose body is not what the platform documents. */
  MALFORMED_PAYLOAD: 'malformed_payload',
  /** The REST proxy shed load: too many 401/403/429 answers in 10 minutes (Discord's invalid-request ban). */
  INVALID_REQUEST_GUARD: 'invalid_request_guard',
  /** Discord answered 401 to the bot token; the REST proxy makes no call with it until it changes. */
  TOKEN_REJECTED: 'token_rejected',
  /** QQ's OpenAPI answered with an error body (QQApiError carries QQ's code and the fix). */
  QQ_API: 'qq_api',
  /** A reshard cannot start (or be cancelled) now; the message says why and what to do. */
  RESHARD_REFUSED: 'reshard_refused',
  /** A platform webhook (Discord interaction) whose handlers already ran: a replay, answered 409. */
  ALREADY_HANDLED: 'already_handled',
  /** An event batch of another protocol version than this side speaks: host and Worker run different
   *  edgeshard versions. Answered 503 so the sender keeps its events spooled until they match. */
  BATCH_VERSION: 'batch_version',
} as const;

export type ErrorCode = (typeof ERROR_CODES)[keyof typeof ERROR_CODES];

export class EdgeshardError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = `EdgeshardError[${code}]`;
  }
}

/** RATE_LIMITED or INVALID_REQUEST_GUARD with the wait after which a retry may succeed. */
export class RateLimitedError extends EdgeshardError {
  readonly retryAfterMs: number;
  constructor(
    code: typeof ERROR_CODES.RATE_LIMITED | typeof ERROR_CODES.INVALID_REQUEST_GUARD,
    message: string,
    retryAfterMs: number,
  ) {
    super(code, message);
    this.retryAfterMs = retryAfterMs;
  }
}

/** The JSON body of every error response the Worker sends. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string };
}

export function errorBody(err: EdgeshardError): ErrorBody {
  return { error: { code: err.code, message: err.message } };
}

/** An EdgeshardError as plain data: what crosses a Durable Object RPC boundary (which keeps only message
 *  and name of a thrown error) and comes back as the same class with the same code. */
export interface WireError {
  code: ErrorCode;
  message: string;
  retryAfterMs?: number;
}

const KNOWN_CODES = new Set<string>(Object.values(ERROR_CODES));

export function toWireError(err: EdgeshardError): WireError {
  return err instanceof RateLimitedError
    ? { code: err.code, message: err.message, retryAfterMs: err.retryAfterMs }
    : { code: err.code, message: err.message };
}

/** The class and code the error had on the other side (an unknown code becomes HANDLER_FAILED). */
export function fromWireError(wire: WireError): EdgeshardError {
  const code: ErrorCode = KNOWN_CODES.has(wire.code) ? wire.code : ERROR_CODES.HANDLER_FAILED;
  if (
    wire.retryAfterMs !== undefined &&
    (code === ERROR_CODES.RATE_LIMITED || code === ERROR_CODES.INVALID_REQUEST_GUARD)
  ) {
    return new RateLimitedError(code, wire.message, wire.retryAfterMs);
  }
  return new EdgeshardError(code, wire.message);
}
