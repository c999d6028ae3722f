// The lifecycle over real sockets against the emulator: every close code row, op 9 both ways, oversized
// commands, backpressure without a false zombie, identify spacing across buckets. Waits are for conditions.
import { afterEach, describe, expect, it } from 'vitest';
import { GatewayIntentBits } from 'discord-api-types/v10';
import { startEmulator, type Emulator, type EmulatorOptions } from '../../../emulator/index.ts';
import { CLOSE_CODES } from '../../../shard-host/gateway/close-codes.ts';
import { Shard, type DispatchRecord, type IdentifyGate } from '../../../shard-host/gateway/index.ts';
import { inProcessIdentifyGate } from '../../../shard-host/lease/in-process.ts';
import { memoryLogger } from '../../../shard-host/log.ts';

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function emulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const emu = await startEmulator({ port: 0, shards: 1, identifyWindowMs: 50, ...options });
  cleanup.push(() => emu.close());
  return emu;
}

function shard(
  emu: Emulator,
  id = 0,
  count = 1,
  gate: IdentifyGate = { acquire: async () => {} }, // one shard at a time: nothing to space
) {
  const records: DispatchRecord[] = [];
  const s = new Shard({
    id,
    count,
    token: emu.token,
    intents: GatewayIntentBits.Guilds | GatewayIntentBits.GuildMessages,
    gatewayUrl: emu.gatewayUrl,
    compress: 'zlib-stream',
    identifyGate: gate,
    logger: memoryLogger(),
    onDispatch: (r) => records.push(r),
    backoff: { baseMs: 20, maxMs: 100 },
  });
  cleanup.push(() => s.stop({ resumable: false }));
  return { shard: s, records };
}

async function until(cond: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('every close code row, sent by the emulator over a real socket', () => {
  it.each(Object.entries(CLOSE_CODES).map(([code, row]) => [Number(code), row.action] as const))(
    '%i → %s',
    async (code, action) => {
      const emu = await emulator();
      const { shard: s } = shard(emu);
      const ready = s.ready();
      s.start();
      await ready;
      const after = s.ready();
      emu.shardControl(0).close(code);
      if (action === 'fatal') {
        await expect(after).rejects.toThrow(new RegExp(`${code}.*Fix: `));
        expect(s.state.kind).toBe('fatal');
        expect(emu.counters().identifies).toBe(1);
        return;
      }
      await after;
      const c = emu.counters();
      expect(c.closesByCode[code]).toBe(1);
      if (action === 'resume') expect([c.identifies, c.resumes]).toEqual([1, 1]);
      else expect([c.identifies, c.resumes]).toEqual([2, 0]);
    },
  );
});

describe('op 9 Invalid Session over a real socket', () => {
  it('d:true → resume (no identify spent)', async () => {
    const emu = await emulator();
    const { shard: s } = shard(emu);
    const ready = s.ready();
    s.start();
    await ready;
    const resumed = s.ready();
    emu.shardControl(0).invalidSession(true);
    await resumed;
    expect(emu.counters()).toMatchObject({ identifies: 1, resumes: 1, invalidSessions: 1 });
  });

  it('d:false → waits 1–5 s, then identifies a new session', async () => {
    const emu = await emulator();
    const { shard: s, records } = shard(emu);
    const ready = s.ready();
    s.start();
    await ready;
    const first = records[0]!.session;
    const again = s.ready();
    const at = Date.now();
    emu.shardControl(0).invalidSession(false);
    await again;
    expect(Date.now() - at).toBeGreaterThanOrEqual(1_000);
    expect(emu.counters()).toMatchObject({ identifies: 2, resumes: 0 });
    const readies = records.filter((r) => r.type === 'READY');
    expect(readies).toHaveLength(2);
    expect(readies[1]!.session).not.toBe(first);
  });
});

describe('outbound commands over a real socket', () => {
  it('an oversized command is refused before it is sent; the connection stays up', async () => {
    const emu = await emulator();
    const { shard: s } = shard(emu);
    const ready = s.ready();
    s.start();
    await ready;
    await expect(s.send({ op: 8, d: { guild_id: '1', query: 'x'.repeat(5_000), limit: 0 } })).rejects.toThrow(
      /5\d{3} bytes; Discord accepts at most 4096/,
    );
    await s.send({ op: 3, d: { since: null, activities: [], status: 'online', afk: false } });
    const c = emu.counters();
    expect(c.closesByCode[4002]).toBeUndefined();
    expect(s.state.kind).toBe('ready');
  });
});

describe('backpressure over a real socket', () => {
  it('paused for several heartbeat intervals under a blast: no false zombie, no reconnect, every seq once in order', async () => {
    const emu = await emulator({ heartbeatIntervalMs: 200 });
    const { shard: s, records } = shard(emu);
    const ready = s.ready();
    s.start();
    await ready;
    emu.blast({ bytes: 1024, count: 20_000, highWaterBytes: 256 * 1024 });
    await until(() => records.length > 100, 'the blast to arrive');
    s.pauseReading();
    const pausedAt = records.length;
    await new Promise((r) => setTimeout(r, 1_000)); // five heartbeat intervals without reading
    // At most what ws had already taken off the socket before the pause.
    expect(records.length - pausedAt).toBeLessThan(2_000);
    expect(s.state.kind).toBe('ready');
    s.resumeReading();
    await until(() => records.length >= 20_001, 'every blast event');
    expect(emu.counters().reconnects).toBe(0);
    expect(emu.counters().heartbeats).toBeGreaterThanOrEqual(4); // beats went on while paused
    expect(records.map((r) => r.seq)).toEqual(records.map((_, i) => i + 1));
  });
});

describe('identify spacing across buckets over real sockets', () => {
  it('8 shards at max_concurrency 4: buckets in parallel, one identify per bucket per window, no violation', async () => {
    const emu = await emulator({ shards: 8, maxConcurrency: 4, identifyWindowMs: 400 });
    // The coordinator's identify policy, run in this process (the same code the ShardCoordinator DO runs).
    const { gate, close } = inProcessIdentifyGate({ shardCount: 8, maxConcurrency: 4, windowMs: 400 });
    cleanup.push(close);
    const shards = Array.from({ length: 8 }, (_, id) => shard(emu, id, 8, gate).shard);
    const started = Date.now();
    await Promise.all(shards.map((s) => (s.start(), s.ready())));
    const elapsed = Date.now() - started;
    const c = emu.counters();
    expect(c.identifyViolations).toBe(0);
    expect(c.identifiesByBucket).toEqual({ 0: 2, 1: 2, 2: 2, 3: 2 });
    expect(c.minIdentifyGapMs).toBeGreaterThanOrEqual(400);
    // Floor (8/4 − 1) × 400 ms; buckets in series would take 7 × 400 ms.
    expect(elapsed).toBeGreaterThanOrEqual(400);
    expect(elapsed).toBeLessThan(7 * 400);
  });
});
