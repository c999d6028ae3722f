import { describe, expect, it } from 'vitest';
import { sign, signedHeaders, verify } from '../../../protocol/signing.ts';
import { signBody } from '../../../shard-host/forwarder/sign.ts';

const NOW = 1_765_000_000_000;

describe('the host signs with node:crypto exactly as protocol/signing.ts does', () => {
  it.each([
    ['an empty body', ''],
    ['a batch', '{"v":2,"host":"h","epochs":{"0":3},"events":[]}'],
    ['non-ASCII text', '{"content":"héllo 世界 🎉"}'],
    ['a large body', 'x'.repeat(600_000)],
  ])('%s', async (_name, body) => {
    const headers = signBody('s3cret', Buffer.from(body, 'utf8'), NOW);
    expect(headers).toEqual(await signedHeaders('s3cret', body, NOW));
    expect(headers['x-edgeshard-signature']).toBe(await sign('s3cret', Math.floor(NOW / 1000), body));
    await expect(
      verify(
        's3cret',
        { timestamp: headers['x-edgeshard-timestamp'], signature: headers['x-edgeshard-signature'] },
        body,
        NOW,
      ),
    ).resolves.toBeUndefined();
  });

  it('a different secret gives a different signature', () => {
    const body = Buffer.from('{}');
    expect(signBody('a', body, NOW)['x-edgeshard-signature']).not.toBe(
      signBody('b', body, NOW)['x-edgeshard-signature'],
    );
  });
});
