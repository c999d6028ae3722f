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

/** The JSON body of every error response the Worker sends. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string };
}

export function errorBody(err: EdgeshardError): ErrorBody {
  return { error: { code: err.code, message: err.message } };
}
