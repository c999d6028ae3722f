// The shared state machine speaking the QQ dialect, with a fake transport and a fake clock.
import { describe, expect, it } from 'vitest';
import { qqDialect } from '../../../shard-host/gateway/dialects/qq.ts';
import type { DispatchRecord } from '../../../shard-host/gateway/options.ts';
import { Shard } from '../../../shard-host/gateway/shard.ts';
import { memoryLogger } from '../../../shard-host/log.ts';
import { FakeClock, fakeConnect, flush } from '../gateway/fakes.ts';

function setup() {
  const clock = new FakeClock();
  const net = fakeConnect();
  const records: DispatchRecord[] = [];
  const tokens = ['tok-1', 'tok-2', 'tok-3'];
  let rejected = 0;
  const shard = new Shard({
    id: 0,
    count: 2,
    dialect: qqDialect,
    token: async () => tokens[rejected]!,
    onTokenRejected: () => void rejected++,
    intents: 1 << 25,
    gatewayUrl: 'wss://api.qq.test/websocket',
    compress: 'none',
    identifyGate: { acquire: async () => {} }, // spacing is the coordinator's
    logger: memoryLogger(),
    onDispatch: (r) => records.push(r),
    clock,
    random: () => 0,
    connect: net.connect,
  });
  return { clock, net, records, shard, rejected: () => rejected };
}

const hello = { op: 10, d: { heartbeat_interval: 45_000 } };
const ready = { op: 0, s: 1, t: 'READY', d: { version: 1, session_id: 'qs-1', user: { id: 'b' }, shard: [0, 2] } };

async function toReady(t: ReturnType<typeof setup>) {
  t.shard.start();
  t.net.last().receive(hello);
  await flush();
  t.net.last().receive(ready);
  await flush();
}

describe('Shard with the QQ dialect (sans-IO)', () => {
  it('connects to the URL as given, identifies with QQBot and [shard, count]', async () => {
    const t = setup();
    await toReady(t);
    const conn = t.net.connections[0]!;
    expect(conn.url).toBe('wss://api.qq.test/websocket');
    expect(conn.sent[0]).toEqual({
      op: 2,
      d: {
        token: 'QQBot tok-1',
        intents: 1 << 25,
        shard: [0, 2],
        properties: { $os: process.platform, $browser: 'edgeshard', $device: 'edgeshard' },
      },
    });
    expect(t.shard.state).toEqual({ kind: 'ready', sessionId: 'qs-1' });
    // QQ's READY names no resume URL: the session resumes through the gateway URL.
    expect(t.shard.session()).toEqual({ sessionId: 'qs-1', resumeUrl: 'wss://api.qq.test/websocket', seq: 1 });
  });

  it("records QQ's event id and the platform on every dispatch", async () => {
    const t = setup();
    await toReady(t);
    t.net.last().receive({ op: 0, id: 'C2C_MESSAGE_CREATE:e1', s: 2, t: 'C2C_MESSAGE_CREATE', d: { id: 'm1' } });
    expect(t.records.map((r) => [r.type, r.seq, r.platform, r.eventId])).toEqual([
      ['READY', 1, 'qq', undefined],
      ['C2C_MESSAGE_CREATE', 2, 'qq', 'C2C_MESSAGE_CREATE:e1'],
    ]);
  });

  it('4009 resumes with the current token; 4004 drops the token and resumes with a new one', async () => {
    const t = setup();
    await toReady(t);
    t.net.last().serverClose(4009);
    await t.clock.advance(1_000);
    t.net.last().receive(hello);
    await flush();
    expect(t.net.last().sent[0]).toEqual({ op: 6, d: { token: 'QQBot tok-1', session_id: 'qs-1', seq: 1 } });
    t.net.last().serverClose(4004);
    expect(t.rejected()).toBe(1);
    await t.clock.advance(5_000);
    t.net.last().receive(hello);
    await flush();
    expect(t.net.last().sent[0]).toEqual({ op: 6, d: { token: 'QQBot tok-2', session_id: 'qs-1', seq: 1 } });
    expect(t.shard.stats()).toMatchObject({ identifies: 1, resumes: 2 });
  });

  it('an internal error (4906) drops the session and identifies again', async () => {
    const t = setup();
    await toReady(t);
    t.net.last().serverClose(4906);
    expect(t.shard.session()).toBe(null);
    await t.clock.advance(10_000);
    t.net.last().receive(hello);
    await flush();
    expect(t.net.last().sent[0]).toMatchObject({ op: 2, d: { token: 'QQBot tok-1', shard: [0, 2] } });
  });

  it('a token endpoint failure reconnects later instead of sending a credential-less Identify', async () => {
    const clock = new FakeClock();
    const net = fakeConnect();
    let calls = 0;
    const shard = new Shard({
      id: 0,
      count: 1,
      dialect: qqDialect,
      token: async () => {
        if (calls++ === 0) throw new Error('token endpoint down');
        return 'tok-ok';
      },
      intents: 1,
      gatewayUrl: 'wss://api.qq.test/websocket',
      compress: 'none',
      identifyGate: { acquire: async () => {} }, // spacing is the coordinator's
      logger: memoryLogger(),
      onDispatch: () => {},
      clock,
      random: () => 0,
      connect: net.connect,
    });
    shard.start();
    net.last().receive(hello);
    await flush();
    expect(net.last().sent).toEqual([]);
    expect(shard.state.kind).toBe('disconnected');
    await clock.advance(1_000);
    net.last().receive(hello);
    await flush();
    await clock.advance(20);
    expect(net.last().sent[0]).toMatchObject({ op: 2, d: { token: 'QQBot tok-ok' } });
    expect(net.connections.length).toBe(2);
  });
});
