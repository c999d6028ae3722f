// Retrying a platform's 5xx. A 500/502/503/504 usually means Discord (or Cloudflare in front of it) failed
// before or while handling the request, and Discord's own libraries retry them (discord.js packages/rest
// retries 5xx up to `retries` times). Only methods whose repetition leaves the same state are retried: GET,
// HEAD, PUT and DELETE are idempotent by HTTP's definition (RFC 9110 §9.2.2); Discord's PATCH endpoints
// set the fields given ("Modify ..."), so sending one twice gives the same result. POST creates something
// each time (a second message) and is never retried.

export const MAX_SERVER_ERROR_RETRIES = 2;

const IDEMPOTENT: Record<string, boolean> = {
  GET: true,
  HEAD: true,
  PUT: true,
  DELETE: true,
  PATCH: true,
  POST: false,
};

/** Whether a response with `status` to `method` is retried after `retries` earlier retries. */
export function retryServerError(method: string, status: number, retries: number): boolean {
  return (
    status >= 500 && status <= 599 && IDEMPOTENT[method.toUpperCase()] === true && retries < MAX_SERVER_ERROR_RETRIES
  );
}

/** Wait before retry number `retries` + 1: 250 ms, then 1 s. */
export function serverErrorBackoffMs(retries: number): number {
  return 250 * 4 ** retries;
}
