// Real sockets against the emulator on port 0. No fixed sleeps: every wait is for a condition.
import { afterEach, describe, expect, it } from 'vitest';
import { GatewayIntentBits } from 'discord-api-types/v10';
import { startEmulator } from '../../../emulator/index.ts';
import type { Emulator } from '../../../emulator/index.ts';
import { memoryLogger } from '../../../shard-host/log.ts';
import { Shard } from '../../../shard-host/gateway/index.ts';
import type { Compression, DispatchRecord } from '../../../shard-host/gateway/index.ts';

const open: Array<{ emulator: Emulator; shard: Shard }> = [];

afterEach(async () => {
  for (const { emulator, shard } of open.splice(0)) {
    await shard.stop({ resumable: false });
    await emulator.close();
  }
});

async function setup(compress: Compression = 'zlib-stream', heartbeatIntervalMs = 5_000) {
  const emulator = await startEmulator({ port: 0, shards: 1, heartbeatIntervalMs });
  const records: DispatchRecord[] = [];
  const shard = new Shard({
    id: 0,
    count: 1,
    token: emulator.token,
    intents: GatewayIntentBits.Guilds | GatewayIntentBits.GuildMessages | GatewayIntentBits.MessageContent,
    gatewayUrl: emulator.gatewayUrl,
    compress,
    identifyGate: { acquire: async () => {} }, // one shard: nothing to space
    logger: memoryLogger(),
    onDispatch: (r) => records.push(r),
  });
  open.push({ emulator, shard });
  const channelId = emulator.world.guilds[0]!.channels[0]!.id;
  return { emulator, shard, records, channelId };
}

async function until(cond: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const messages = (records: DispatchRecord[]) => records.filter((r) => r.type === 'MESSAGE_CREATE');

describe.each(['zlib-stream', 'none'] as const)('Shard over a real socket (%s)', (compress) => {
  it('connects → READY, receives a message', async () => {
    const t = await setup(compress);
    const ready = t.shard.ready();
    t.shard.start();
    await ready;
    expect(t.records[0]).toMatchObject({ type: 'READY', seq: 1, shard: 0 });
    t.emulator.say({ channelId: t.channelId, content: 'hello' });
    await until(() => messages(t.records).length === 1, 'MESSAGE_CREATE');
    expect((messages(t.records)[0]!.data as { content: string }).content).toBe('hello');
    expect(t.emulator.counters().identifies).toBe(1);
    expect(t.shard.stats().bytesIn).toBeGreaterThan(0);
  });
});

describe('Shard over a real socket: resume', () => {
  it('drop → resume with no new identify, every event exactly once (by seq)', async () => {
    const t = await setup();
    const ready = t.shard.ready();
    t.shard.start();
    await ready;
    t.emulator.say({ channelId: t.channelId, content: 'before' });
    await until(() => messages(t.records).length === 1, 'first message');

    const resumed = t.shard.ready();
    t.emulator.shardControl(0).drop();
    // Said while the shard is away: the gateway buffers them and replays on Resume.
    for (let i = 0; i < 5; i++) t.emulator.say({ channelId: t.channelId, content: `during ${i}` });
    await resumed;
    t.emulator.say({ channelId: t.channelId, content: 'after' });
    await until(() => messages(t.records).length === 7, 'all seven messages');

    expect(t.emulator.counters().identifies).toBe(1);
    expect(t.emulator.counters().resumes).toBe(1);
    expect(t.shard.stats()).toMatchObject({ identifies: 1, resumes: 1, reconnects: 1 });
    const seqs = t.records.map((r) => r.seq);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1)); // 1..n: no gap, no duplicate
    expect(new Set(t.records.map((r) => r.session)).size).toBe(1);
    expect(messages(t.records).map((r) => (r.data as { content: string }).content)).toEqual([
      'before',
      'during 0',
      'during 1',
      'during 2',
      'during 3',
      'during 4',
      'after',
    ]);
    expect(t.records.some((r) => r.type === 'RESUMED')).toBe(true);
  });

  it('op 7 → reconnect and resume', async () => {
    const t = await setup();
    const ready = t.shard.ready();
    t.shard.start();
    await ready;
    const resumed = t.shard.ready();
    t.emulator.shardControl(0).reconnect();
    await resumed;
    expect(t.emulator.counters().identifies).toBe(1);
    expect(t.emulator.counters().resumes).toBe(1);
    expect(t.shard.state.kind).toBe('ready');
  });

  it('zombie (no heartbeat ACKs) → close non-1000 and resume', async () => {
    const t = await setup('zlib-stream', 200);
    const ready = t.shard.ready();
    t.shard.start();
    await ready;
    const resumed = t.shard.ready();
    t.emulator.shardControl(0).setHeartbeatAcks(false);
    await resumed;
    expect(t.emulator.counters().identifies).toBe(1);
    // ≥ 1: on a very slow machine an ACK may also arrive late before ACKs are switched off.
    expect(t.emulator.counters().resumes).toBeGreaterThanOrEqual(1);
  });

  it('4004 from the server → fatal, with the fix in the error', async () => {
    const t = await setup();
    const ready = t.shard.ready();
    t.shard.start();
    await ready;
    const failed = t.shard.ready();
    t.emulator.shardControl(0).close(4004, 'Authentication failed.');
    await expect(failed).rejects.toThrow(/DISCORD_TOKEN/);
    expect(t.shard.state.kind).toBe('fatal');
  });
});
