// The one place that turns our typed errors into HTTP responses.
import { EdgeshardError, ERROR_CODES, errorBody, RateLimitedError, type ErrorCode } from '../protocol/index.ts';

const STATUS: Record<ErrorCode, number> = {
  [ERROR_CODES.BAD_SIGNATURE]: 401,
  [ERROR_CODES.STALE_TIMESTAMP]: 401,
  [ERROR_CODES.MISSING_AUTH]: 401,
  [ERROR_CODES.MALFORMED_BATCH]: 400,
  [ERROR_CODES.BODY_TOO_LARGE]: 413,
  [ERROR_CODES.CONFIG_INVALID]: 500,
  [ERROR_CODES.UPSTREAM_HTTP]: 502,
  [ERROR_CODES.RATE_LIMITED]: 429,
  [ERROR_CODES.GATEWAY_FATAL]: 500,
  [ERROR_CODES.NOT_AVAILABLE]: 501,
  [ERROR_CODES.HANDLER_FAILED]: 500,
  [ERROR_CODES.STALE_EPOCH]: 409,
  [ERROR_CODES.LEASE_PROTOCOL]: 400,
  [ERROR_CODES.BAD_TOKEN]: 401,
  [ERROR_CODES.STATUS_DISABLED]: 404,
  [ERROR_CODES.MALFORMED_PAYLOAD]: 400,
  [ERROR_CODES.INVALID_REQUEST_GUARD]: 503,
  [ERROR_CODES.TOKEN_REJECTED]: 502,
  [ERROR_CODES.QQ_API]: 502,
  [ERROR_CODES.RESHARD_REFUSED]: 409,
  [ERROR_CODES.ALREADY_HANDLED]: 409,
  // 503, not 400: every host version retries a 5xx with its events kept, so an upgrade in either order
  // loses nothing (docs/operations.md, Upgrading).
  [ERROR_CODES.BATCH_VERSION]: 503,
};

export function statusFor(code: ErrorCode): number {
  return STATUS[code];
}

export function errorResponse(err: unknown): Response {
  if (err instanceof RateLimitedError) {
    return Response.json(errorBody(err), {
      status: STATUS[err.code],
      headers: { 'retry-after': String(Math.max(1, Math.ceil(err.retryAfterMs / 1000))) },
    });
  }
  if (err instanceof EdgeshardError) {
    return Response.json(errorBody(err), { status: STATUS[err.code] });
  }
  // Unknown errors never echo their message: it may carry a token or a URL with credentials.
  console.error(
    JSON.stringify({ level: 'error', msg: 'unhandled error', name: err instanceof Error ? err.name : typeof err }),
  );
  return Response.json(
    { error: { code: 'internal', message: 'internal error (see the Worker logs)' } },
    { status: 500 },
  );
}
