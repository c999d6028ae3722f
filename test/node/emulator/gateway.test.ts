import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { shardForGuild, startEmulator, type Emulator } from '../../../emulator/index.ts';
import { connect, event, identify, identifyPayload, op, waitFor } from './client.ts';

let emu: Emulator;
beforeEach(async () => {
  emu = await startEmulator({
    port: 0,
    shards: 2,
    maxConcurrency: 2,
    identifyWindowMs: 300,
    heartbeatIntervalMs: 1000,
    privilegedIntents: 1 << 15,
  });
});
afterEach(() => emu.close());

describe('gateway handshake', () => {
  it('sends Hello and ACKs heartbeats', async () => {
    const client = await connect(emu.gatewayUrl);
    const hello = await client.next(op(10));
    expect(hello.d).toEqual({ heartbeat_interval: 1000 });
    client.send(1, null);
    await client.next(op(11));
    expect(emu.counters()).toMatchObject({ heartbeats: 1, heartbeatAcks: 1, connectionsOpened: 1 });
    await client.close();
  });

  it("answers Identify with READY and GUILD_CREATE for the shard's guilds only", async () => {
    const { client, ready } = await identify(emu.gatewayUrl, emu.token, [1, 2]);
    expect(ready.s).toBe(1);
    expect(ready.d).toMatchObject({ v: 10, shard: [1, 2], user: { id: emu.world.bot.id, bot: true } });
    expect(ready.d.resume_gateway_url).toBe(emu.gatewayUrl.replace('/gateway', '/resume'));
    const expected = emu.world.guilds.filter((g) => shardForGuild(g.id, 2) === 1).map((g) => g.id);
    expect(expected.length).toBeGreaterThan(0);
    expect(ready.d.guilds).toEqual(expected.map((id) => ({ id, unavailable: true })));
    const creates = [];
    for (const _ of expected) creates.push(await client.next(event('GUILD_CREATE')));
    expect(creates.map((p) => p.d.id)).toEqual(expected);
    expect(creates.map((p) => p.s)).toEqual(expected.map((_, i) => i + 2));
    expect(creates[0]?.d.channels).toHaveLength(3);
    expect(emu.counters()).toMatchObject({
      identifies: 1,
      identifiesByShard: { 1: 1 },
      openConnections: { 1: 1 },
      sessionStartRemaining: 999,
    });
    await client.close();
  });

  it.each([
    ['a bad token', { ...identifyPayload('wrong', [0, 2]) }, 4004],
    ['an invalid shard', identifyPayload('emulator-token', [2, 2]), 4010],
    ['unknown intent bits', { ...identifyPayload('emulator-token', [0, 1]), intents: 1 << 30 }, 4013],
    ['a privileged intent the app lacks', identifyPayload('emulator-token', [0, 1], 1 | (1 << 1)), 4014],
  ])('closes on Identify with %s', async (_name, d, code) => {
    const client = await connect(emu.gatewayUrl);
    await client.next(op(10));
    client.send(2, d);
    expect((await client.closed).code).toBe(code);
    expect(emu.counters().closesByCode[code]).toBe(1);
  });

  it('closes 4003 for a command before Identify, 4001 for an unknown op, 4002 for bad JSON', async () => {
    const a = await connect(emu.gatewayUrl);
    a.send(3, { status: 'online', activities: [], since: null, afk: false });
    const b = await connect(emu.gatewayUrl);
    b.send(99, null);
    const c = await connect(emu.gatewayUrl);
    c.ws.send('{not json');
    const d = await connect(emu.gatewayUrl);
    d.ws.send(JSON.stringify({ op: 1, d: 'x'.repeat(5000) }));
    expect((await a.closed).code).toBe(4003);
    expect((await b.closed).code).toBe(4001);
    expect((await c.closed).code).toBe(4002);
    expect((await d.closed).code).toBe(4002);
  });

  it('closes 4005 on a second Identify and 4012 on a wrong version', async () => {
    const { client } = await identify(emu.gatewayUrl, emu.token, [0, 2]);
    client.send(2, identifyPayload(emu.token, [0, 2]));
    expect((await client.closed).code).toBe(4005);
    const old = await connect(emu.gatewayUrl, 'v=9&encoding=json');
    expect((await old.closed).code).toBe(4012);
  });

  it('closes 4008 after more than 120 payloads in a minute', async () => {
    const client = await connect(emu.gatewayUrl);
    for (let i = 0; i < 121; i++) client.send(1, null);
    expect((await client.closed).code).toBe(4008);
  });

  it('control: op 7, op 1 request, disabled ACKs, server close', async () => {
    const { client } = await identify(emu.gatewayUrl, emu.token, [0, 2]);
    const control = emu.shardControl(0);
    control.reconnect();
    await client.next(op(7));
    control.requestHeartbeat();
    await client.next(op(1));
    control.setHeartbeatAcks(false);
    client.send(1, 1);
    await waitFor(() => emu.counters().heartbeats === 1);
    control.setHeartbeatAcks(true);
    client.send(1, 1);
    await client.next(op(11));
    expect(emu.counters()).toMatchObject({ heartbeats: 2, heartbeatAcks: 1 });
    control.close(4000, 'test');
    expect(await client.closed).toEqual({ code: 4000, reason: 'test' });
    await waitFor(() => emu.counters().openConnections[0] === 0);
    expect(emu.counters().closesByCode).toEqual({ 4000: 1 });
  });
});
