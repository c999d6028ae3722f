import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../../emulator/index.ts';
import { event, identify } from './client.ts';

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator({ shards: 1, guilds: 4 });
});
afterAll(() => emu.close());

describe('zlib-stream transport compression', () => {
  it('sends binary frames ending in 00 00 ff ff that inflate in order through one context', async () => {
    const { client, ready } = await identify(
      emu.gatewayUrl,
      emu.token,
      [0, 1],
      undefined,
      'v=10&encoding=json&compress=zlib-stream',
    );
    expect(ready.d.shard).toEqual([0, 1]);
    const channel = emu.world.guilds[0]!.channels[0]!.id;
    for (let i = 0; i < 50; i++) emu.say({ channelId: channel, content: `hello ${i}` });
    const seen: string[] = [];
    for (let i = 0; i < 50; i++) seen.push((await client.next(event('MESSAGE_CREATE'))).d.content);
    expect(seen).toEqual(Array.from({ length: 50 }, (_, i) => `hello ${i}`));
    expect(client.rawFrames.length).toBeGreaterThanOrEqual(1 + 1 + 4 + 50);
    for (const frame of client.rawFrames) expect([...frame.subarray(-4)]).toEqual([0x00, 0x00, 0xff, 0xff]);
    await client.close();
  });
});
