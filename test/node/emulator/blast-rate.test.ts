// The emulator's blast at a fixed rate per shard (bench:gateway's "2,000/s per shard" scenarios): a steady
// schedule, not a burst; an invalid rate is refused.
import { afterEach, describe, expect, it } from 'vitest';
import { GatewayIntentBits } from 'discord-api-types/v10';
import { startEmulator, type Emulator } from '../../../emulator/index.ts';
import { Shard, type DispatchRecord } from '../../../shard-host/gateway/index.ts';
import { memoryLogger } from '../../../shard-host/log.ts';

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function readyShard(emu: Emulator): Promise<DispatchRecord[]> {
  const records: DispatchRecord[] = [];
  const s = new Shard({
    id: 0,
    count: 1,
    token: emu.token,
    intents: GatewayIntentBits.Guilds | GatewayIntentBits.GuildMessages,
    gatewayUrl: emu.gatewayUrl,
    compress: 'none',
    identifyGate: { acquire: async () => {} },
    logger: memoryLogger(),
    onDispatch: (r) => {
      if (r.type === 'MESSAGE_CREATE') records.push(r);
    },
  });
  cleanup.push(() => s.stop());
  const ready = s.ready();
  s.start();
  await ready;
  return records;
}

describe('emulator blast with ratePerShard', () => {
  it('100 events at 200/s per shard take half a second, not one burst', async () => {
    const emu = await startEmulator({ port: 0, shards: 1, identifyWindowMs: 50 });
    cleanup.push(() => emu.close());
    const records = await readyShard(emu);
    const t0 = Date.now();
    emu.blast({ bytes: 500, count: 100, ratePerShard: 200 });
    while (records.length < 100) await new Promise((r) => setTimeout(r, 10));
    // One event per 5 ms: the 100th is due 500 ms after the start, whatever the load (a burst sends all 100
    // within a few milliseconds).
    expect(records[99]!.receivedAt - t0 >= 500).toBe(true);
    expect(records.map((r) => r.seq)).toEqual(Array.from({ length: 100 }, (_, i) => records[0]!.seq + i));
  });

  it.each([0, -1, Number.NaN])('refuses ratePerShard %s', async (rate) => {
    const emu = await startEmulator({ port: 0, shards: 1 });
    cleanup.push(() => emu.close());
    expect(() => emu.blast({ ratePerShard: rate })).toThrow('blast ratePerShard must be a positive number');
  });
});
