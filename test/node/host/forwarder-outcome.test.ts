import { describe, expect, it } from 'vitest';
import { classifyResponse, errorCode, OUTCOME_RULES } from '../../../shard-host/forwarder/outcome.ts';

const stale = '{"error":{"code":"stale_epoch","message":"shard 0 is owned at epoch 3"}}';
const other = '{"error":{"code":"malformed_batch","message":"m"}}';

describe('classifyResponse: what a Worker answer means for the batch (one case per table row)', () => {
  const rows: [rule: string, status: number, retryAfter: string | null, body: string, kind: string][] = [
    ['200: per-event results', 200, null, '{"v":2,"results":[]}', 'per-event'],
    ['408/425/429/5xx: retry the whole batch', 500, null, other, 'retry'],
    ['408/425/429/5xx: retry the whole batch', 502, null, 'Bad Gateway', 'retry'],
    ['408/425/429/5xx: retry the whole batch', 503, '3', other, 'retry'],
    ['408/425/429/5xx: retry the whole batch', 408, null, '', 'retry'],
    ['408/425/429/5xx: retry the whole batch', 425, null, '', 'retry'],
    ['408/425/429/5xx: retry the whole batch', 429, '2', '', 'retry'],
    ['401: retry (fixable signature or clock)', 401, null, '{"error":{"code":"bad_signature","message":"m"}}', 'retry'],
    ['413: split the batch', 413, null, '{"error":{"code":"body_too_large","message":"m"}}', 'split'],
    ['409 stale_epoch: fenced', 409, null, stale, 'fenced'],
    [
      '503 batch_version: retry (upgrade the older side)',
      503,
      null,
      '{"error":{"code":"batch_version","message":"event batch version 1, this Worker speaks version 2"}}',
      'retry',
    ],
    [
      '400 unsupported version (a Worker older than the host): retry',
      400,
      null,
      '{"error":{"code":"malformed_batch","message":"malformed event batch: unsupported version 2, expected 1"}}',
      'retry',
    ],
    ['any other status: dead-letter', 400, null, other, 'dead-letter'],
    ['any other status: dead-letter', 404, null, 'not found', 'dead-letter'],
    // A 409 whose body only mentions the code (not an ErrorBody with it) is not a fence.
    ['any other status: dead-letter', 409, null, '<html>stale_epoch</html>', 'dead-letter'],
    [
      'any other status: dead-letter',
      409,
      null,
      '{"error":{"code":"lease_protocol","message":"stale_epoch"}}',
      'dead-letter',
    ],
  ];
  for (const [rule, status, retryAfter, body, kind] of rows) {
    it(`${status} ${body.slice(0, 40)} → ${kind} (${rule})`, () => {
      expect(classifyResponse(status, retryAfter, body).kind).toBe(kind);
      expect(OUTCOME_RULES.find((r) => r.name === rule)?.kind).toBe(kind);
    });
  }

  it('covers every rule of the table', () => {
    expect(new Set(rows.map(([rule]) => rule))).toEqual(new Set(OUTCOME_RULES.map((r) => r.name)));
  });

  it('honours Retry-After in seconds', () => {
    expect(classifyResponse(429, '2', '')).toEqual({
      kind: 'retry',
      reason: 'Worker answered 429',
      retryAfterMs: 2000,
    });
    expect(classifyResponse(503, '0.05', '')).toEqual({
      kind: 'retry',
      reason: 'Worker answered 503',
      retryAfterMs: 50,
    });
  });

  it('ignores a Retry-After that is not delay-seconds', () => {
    expect(classifyResponse(503, 'Wed, 21 Oct 2015 07:28:00 GMT', '')).toEqual({
      kind: 'retry',
      reason: 'Worker answered 503',
    });
  });

  it('names the fix for a signature refusal', () => {
    const outcome = classifyResponse(401, null, '{"error":{"code":"bad_signature"}}');
    expect(outcome.kind === 'retry' && outcome.reason).toMatch(/EDGESHARD_SECRET/);
  });

  it('reads the code of an error body and nothing else', () => {
    expect(errorCode(stale)).toBe('stale_epoch');
    expect(errorCode('{"error":"stale_epoch"}')).toBe(undefined);
    expect(errorCode('null')).toBe(undefined);
    expect(errorCode('not json')).toBe(undefined);
  });
});
