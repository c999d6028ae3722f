// Coordinator-mode settings: one row per bad value, each naming the fix.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../shard-host/config.ts';

const base = { DISCORD_TOKEN: 't', EDGESHARD_SECRET: '0123456789abcdef0123' };
const load = (env: Record<string, string>) => loadConfig([], { ...base, ...env }, '/nonexistent/.env');

describe('coordinator settings', () => {
  it('defaults to static mode, capacity 100, coordinator at the Worker URL', () => {
    const c = load({ EDGESHARD_WORKER_URL: 'https://w.example' });
    expect([c.coordinator, c.capacity, c.coordinatorUrl]).toEqual([false, 100, 'https://w.example']);
  });

  it('reads EDGESHARD_COORDINATOR, EDGESHARD_CAPACITY and EDGESHARD_COORDINATOR_URL', () => {
    const c = load({
      EDGESHARD_COORDINATOR: 'on',
      EDGESHARD_CAPACITY: '4',
      EDGESHARD_COORDINATOR_URL: 'http://127.0.0.1:9/',
    });
    expect([c.coordinator, c.capacity, c.coordinatorUrl]).toEqual([true, 4, 'http://127.0.0.1:9']);
  });

  it.each([
    [{ EDGESHARD_COORDINATOR: 'yes' }, 'EDGESHARD_COORDINATOR must be "on" or "off"'],
    [{ EDGESHARD_CAPACITY: '0' }, 'EDGESHARD_CAPACITY must be a positive integer'],
    [{ EDGESHARD_COORDINATOR_URL: 'ftp://x' }, 'EDGESHARD_COORDINATOR_URL must be an http(s) URL'],
    [
      { EDGESHARD_COORDINATOR: 'on', EDGESHARD_SHARDS: '0-3' },
      'EDGESHARD_SHARDS cannot be used with EDGESHARD_COORDINATOR=on',
    ],
  ])('refuses %j', (env, message) => {
    expect(() => load(env)).toThrow(message);
  });
});
