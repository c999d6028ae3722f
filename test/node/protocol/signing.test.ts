import { describe, expect, it } from 'vitest';
import {
  EdgeshardError,
  sign,
  signedHeaders,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  verify,
} from '../../../protocol/index.ts';

const secret = 's'.repeat(32);
const body = '{"v":1}';

async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
    return undefined;
  } catch (err) {
    return err instanceof EdgeshardError ? err.code : 'not-edgeshard';
  }
}

describe('HMAC signing', () => {
  it('verifies what it signed', async () => {
    const h = await signedHeaders(secret, body, 1_700_000_000_000);
    expect(h[TIMESTAMP_HEADER]).toBe('1700000000');
    expect(h[SIGNATURE_HEADER]).toMatch(/^[0-9a-f]{64}$/);
    await expect(
      verify(secret, { timestamp: h[TIMESTAMP_HEADER], signature: h[SIGNATURE_HEADER] }, body, 1_700_000_000_000),
    ).resolves.toBeUndefined();
  });

  it('matches an independent HMAC-SHA256 of "timestamp.body"', async () => {
    const { createHmac } = await import('node:crypto');
    expect(await sign(secret, 42, body)).toBe(createHmac('sha256', secret).update(`42.${body}`).digest('hex'));
  });

  const now = 1_700_000_000_000;
  const cases: [string, () => Promise<unknown>, string][] = [
    ['a tampered body', async () => verify(secret, await headersFor(now), body + ' ', now), 'bad_signature'],
    ['another secret', async () => verify('x'.repeat(32), await headersFor(now), body, now), 'bad_signature'],
    [
      'a non-hex signature',
      async () => verify(secret, { timestamp: String(now / 1000), signature: 'zz' }, body, now),
      'bad_signature',
    ],
    [
      'a timestamp 301 s old',
      async () => verify(secret, await headersFor(now - 301_000), body, now),
      'stale_timestamp',
    ],
    [
      'a timestamp 301 s ahead',
      async () => verify(secret, await headersFor(now + 301_000), body, now),
      'stale_timestamp',
    ],
    ['a missing signature', async () => verify(secret, { timestamp: '1', signature: null }, body, now), 'missing_auth'],
  ];
  for (const [what, run, code] of cases) {
    it(`refuses ${what} with ${code}`, async () => {
      expect(await codeOf(run())).toBe(code);
    });
  }

  it('accepts a timestamp 299 s old', async () => {
    expect(await codeOf(verify(secret, await headersFor(now - 299_000), body, now))).toBeUndefined();
  });
});

async function headersFor(at: number) {
  const h = await signedHeaders(secret, body, at);
  return { timestamp: h[TIMESTAMP_HEADER], signature: h[SIGNATURE_HEADER] };
}
