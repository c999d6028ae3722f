import { describe, expect, it } from 'vitest';
import { EdgeshardError } from '../../../protocol/index.ts';
import { flagName, loadConfig, parseIntents, parseShardList } from '../../../shard-host/config.ts';

const base = { DISCORD_TOKEN: 't', EDGESHARD_SECRET: '0123456789abcdef' };
const load = (env: Record<string, string>, argv: string[] = []) => loadConfig(argv, env, '/nonexistent/.env');

function error(env: Record<string, string>, argv: string[] = []): string {
  try {
    load(env, argv);
    return 'accepted';
  } catch (err) {
    expect(err).toBeInstanceOf(EdgeshardError);
    return (err as Error).message;
  }
}

describe('host configuration', () => {
  it('applies the documented defaults', () => {
    const c = load(base);
    expect(c.apiUrl).toBe('https://discord.com/api/v10');
    expect(c.workerUrl).toBe('http://127.0.0.1:8787');
    expect(c.spoolDir).toBe('.edgeshard/spool');
    expect(c.metricsPort).toBe(9464);
    expect(c.intents).toBe(1 | (1 << 9) | (1 << 15));
    expect(c.compress).toBe('zlib-stream');
    expect(c.shardIds).toBeUndefined();
    expect(c.maxAttempts).toBe(5);
    expect(c.deadLetterFile).toBe('.edgeshard/spool/dead-letter.jsonl');
  });

  it('reads EDGESHARD_MAX_ATTEMPTS', () => {
    expect(load({ ...base, EDGESHARD_MAX_ATTEMPTS: '3' }).maxAttempts).toBe(3);
    expect(load(base, ['--max-attempts', '1']).maxAttempts).toBe(1);
  });

  it('lets flags override the environment', () => {
    const c = load({ ...base, EDGESHARD_WORKER_URL: 'http://a:1' }, ['--worker-url', 'http://b:2/', '--shards=0-2,5']);
    expect(c.workerUrl).toBe('http://b:2');
    expect(c.shardIds).toEqual([0, 1, 2, 5]);
  });

  it('maps names to flags', () => {
    expect(flagName('EDGESHARD_WORKER_URL')).toBe('--worker-url');
    expect(flagName('DISCORD_TOKEN')).toBe('--discord-token');
  });

  it('parses intents by number and by name', () => {
    expect(parseIntents('513')).toBe(513);
    expect(parseIntents('guilds, guild_messages,MessageContent')).toBe(1 | 512 | 32768);
  });

  it('parses shard lists', () => {
    expect(parseShardList('3,0-1')).toEqual([0, 1, 3]);
  });

  const rows: [string, Record<string, string>, string[], RegExp][] = [
    ['no token', { EDGESHARD_SECRET: base.EDGESHARD_SECRET }, [], /neither DISCORD_TOKEN nor QQ_APP_ID/],
    ['no secret', { DISCORD_TOKEN: 't' }, [], /EDGESHARD_SECRET is not set/],
    ['a short secret', { ...base, EDGESHARD_SECRET: 'short' }, [], /at least 16/],
    ['a bad URL', { ...base, EDGESHARD_WORKER_URL: 'nope' }, [], /EDGESHARD_WORKER_URL is not a valid URL/],
    ['a non-http URL', { ...base, DISCORD_API_URL: 'ftp://x' }, [], /must be an http\(s\) URL/],
    ['an unknown intent', { ...base, EDGESHARD_INTENTS: 'guilds,typo' }, [], /unknown intent "typo"/],
    ['a bad port', { ...base, EDGESHARD_METRICS_PORT: 'x' }, [], /EDGESHARD_METRICS_PORT must be/],
    ['a bad compression', { ...base, EDGESHARD_COMPRESS: 'gzip' }, [], /zlib-stream or none/],
    ['a backwards range', { ...base, EDGESHARD_SHARDS: '3-1' }, [], /backwards/],
    [
      'a shard beyond the count',
      { ...base, EDGESHARD_SHARDS: '0-4', EDGESHARD_SHARD_COUNT: '4' },
      [],
      /≥ EDGESHARD_SHARD_COUNT/,
    ],
    [
      'zero attempts',
      { ...base, EDGESHARD_MAX_ATTEMPTS: '0' },
      [],
      /EDGESHARD_MAX_ATTEMPTS must be an integer from 1 to 100/,
    ],
    ['fractional attempts', { ...base, EDGESHARD_MAX_ATTEMPTS: '2.5' }, [], /EDGESHARD_MAX_ATTEMPTS must be/],
    ['too many attempts', { ...base, EDGESHARD_MAX_ATTEMPTS: '1000' }, [], /from 1 to 100/],
    ['an unknown flag', base, ['--wokrer-url', 'x'], /unknown option --wokrer-url/],
    ['a flag without value', base, ['--worker-url'], /needs a value/],
  ];
  for (const [what, env, argv, message] of rows) {
    it(`refuses ${what} with a message naming the fix`, () => {
      expect(error(env, argv)).toMatch(message);
    });
  }
});
