import { describe, expect, it } from 'vitest';
import { classifyResponse } from '../../../shard-host/forwarder/outcome.ts';

describe('classifyResponse: what a Worker status means for the batch', () => {
  const rows: [number, string | null, string][] = [
    [200, null, 'per-event'],
    [500, null, 'retry'],
    [502, null, 'retry'],
    [503, '3', 'retry'],
    [408, null, 'retry'],
    [429, '2', 'retry'],
    [401, null, 'retry'],
    [413, null, 'split'],
    [400, null, 'dead-letter'],
    // stale_epoch: this host lost the shard; the new owner resumes and the platform replays the events.
    [409, null, 'dead-letter'],
    [404, null, 'dead-letter'],
  ];
  for (const [status, retryAfter, kind] of rows) {
    it(`${status} → ${kind}`, () => {
      expect(classifyResponse(status, retryAfter, 'body').kind).toBe(kind);
    });
  }

  it('drops a batch fenced by a newer lease epoch instead of dead-lettering it', () => {
    expect(classifyResponse(409, null, '{"error":{"code":"stale_epoch","message":"m"}}').kind).toBe('fenced');
  });

  it('honours Retry-After in seconds', () => {
    expect(classifyResponse(429, '2', '')).toEqual({
      kind: 'retry',
      reason: 'Worker answered 429',
      retryAfterMs: 2000,
    });
  });

  it('names the fix for a signature refusal', () => {
    const outcome = classifyResponse(401, null, '{"error":{"code":"bad_signature"}}');
    expect(outcome.kind === 'retry' && outcome.reason).toMatch(/EDGESHARD_SECRET/);
  });
});
