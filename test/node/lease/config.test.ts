// Lease settings: every host is leased; one row per bad value, each naming the fix.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../shard-host/config.ts';

const base = { DISCORD_TOKEN: 't', EDGESHARD_SECRET: '0123456789abcdef0123' };
const load = (env: Record<string, string>) => loadConfig([], { ...base, ...env }, '/nonexistent/.env');

describe('lease settings', () => {
  it('defaults to capacity 100, any shard, the coordinator at the Worker URL', () => {
    const c = load({ EDGESHARD_WORKER_URL: 'https://w.example' });
    expect([c.capacity, c.shardIds, c.coordinatorUrl]).toEqual([100, undefined, 'https://w.example']);
  });

  it('reads EDGESHARD_CAPACITY, EDGESHARD_SHARDS (which shards this host may lease) and EDGESHARD_COORDINATOR_URL', () => {
    const c = load({
      EDGESHARD_CAPACITY: '4',
      EDGESHARD_SHARDS: '0-3,8',
      EDGESHARD_COORDINATOR_URL: 'http://127.0.0.1:9/',
    });
    expect([c.capacity, c.shardIds, c.coordinatorUrl]).toEqual([4, [0, 1, 2, 3, 8], 'http://127.0.0.1:9']);
  });

  it('accepts a leftover EDGESHARD_COORDINATOR=on (it is what every host does now)', () => {
    expect(load({ EDGESHARD_COORDINATOR: 'on' }).capacity).toBe(100);
  });

  it.each([
    [{ EDGESHARD_COORDINATOR: 'off' }, 'EDGESHARD_COORDINATOR=off is no longer a setting: every host takes its shards'],
    [{ EDGESHARD_CAPACITY: '0' }, 'EDGESHARD_CAPACITY must be a positive integer'],
    [{ EDGESHARD_COORDINATOR_URL: 'ftp://x' }, 'EDGESHARD_COORDINATOR_URL must be an http(s) URL'],
    [{ EDGESHARD_SHARDS: '3-1' }, 'EDGESHARD_SHARDS: range "3-1" is backwards'],
  ])('refuses %j', (env, message) => {
    expect(() => load(env)).toThrow(message);
  });
});
