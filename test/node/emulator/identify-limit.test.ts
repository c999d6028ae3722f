import { afterEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../../emulator/index.ts';
import { connect, event, identify, identifyPayload, op } from './client.ts';

let emu: Emulator | undefined;
afterEach(() => emu?.close());

describe('identify concurrency (shard_id % max_concurrency buckets)', () => {
  it('answers a second identify in the same bucket within the window with op 9 d:false', async () => {
    emu = await startEmulator({ shards: 2, maxConcurrency: 1, identifyWindowMs: 800 });
    const { client: first } = await identify(emu.gatewayUrl, emu.token, [0, 2]);
    const second = await connect(emu.gatewayUrl);
    await second.next(op(10));
    second.send(2, identifyPayload(emu.token, [1, 2]));
    const invalid = await second.next(op(9));
    expect(invalid.d).toBe(false);
    expect(emu.counters()).toMatchObject({
      identifies: 1,
      identifyViolations: 1,
      invalidSessions: 1,
      sessionStartRemaining: 999,
    });

    // After the window the same connection may identify again.
    await new Promise((r) => setTimeout(r, 850));
    second.send(2, identifyPayload(emu.token, [1, 2]));
    await second.next(event('READY'));
    expect(emu.counters()).toMatchObject({ identifies: 2, identifyViolations: 1, sessionStartRemaining: 998 });
    await Promise.all([first.close(), second.close()]);
  });

  it('lets different buckets identify at the same time', async () => {
    emu = await startEmulator({ shards: 4, maxConcurrency: 4, identifyWindowMs: 60_000 });
    const url = emu.gatewayUrl;
    const token = emu.token;
    const clients = await Promise.all([0, 1, 2, 3].map((id) => identify(url, token, [id, 4])));
    expect(clients.map((c) => c.ready.d.shard)).toEqual([
      [0, 4],
      [1, 4],
      [2, 4],
      [3, 4],
    ]);
    expect(emu.counters()).toMatchObject({ identifies: 4, identifyViolations: 0 });
    // Shard 4 shares bucket 0 with shard 0, identified moments ago.
    const late = await connect(url);
    await late.next(op(10));
    late.send(2, identifyPayload(token, [4, 8]));
    expect((await late.next(op(9))).d).toBe(false);
    expect(emu.counters().identifyViolations).toBe(1);
    await Promise.all([...clients.map((c) => c.client.close()), late.close()]);
  });

  it('reports the budget in GET /gateway/bot', async () => {
    emu = await startEmulator({ shards: 3, maxConcurrency: 2, sessionStartTotal: 10, identifyWindowMs: 300 });
    const { client } = await identify(emu.gatewayUrl, emu.token, [0, 3]);
    const res = await fetch(`${emu.apiUrl}/gateway/bot`, { headers: { Authorization: `Bot ${emu.token}` } });
    const body = (await res.json()) as { shards: number; session_start_limit: Record<string, number> };
    expect(body.shards).toBe(3);
    expect(body.session_start_limit).toMatchObject({ total: 10, remaining: 9, max_concurrency: 2 });
    expect(body.session_start_limit.reset_after).toBeGreaterThan(0);
    await client.close();
  });
});
