// The state machine with a fake transport and a fake clock: no socket, no real time.
import { describe, expect, it } from 'vitest';
import type { EdgeshardError } from '../../../protocol/errors.ts';
import { memoryLogger } from '../../../shard-host/log.ts';
import type { DispatchRecord, ShardOptions } from '../../../shard-host/gateway/options.ts';
import { Shard } from '../../../shard-host/gateway/shard.ts';
import { FakeClock, fakeConnect, flush } from './fakes.ts';

function setup(extra: Partial<ShardOptions> = {}) {
  const clock = new FakeClock();
  const net = fakeConnect();
  const records: DispatchRecord[] = [];
  const transitions: string[] = [];
  const fatals: EdgeshardError[] = [];
  const logger = memoryLogger();
  const shard = new Shard({
    id: 1,
    count: 2,
    token: 'Bot secret',
    intents: 513,
    gatewayUrl: 'ws://gw.test/gateway',
    compress: 'zlib-stream',
    identifyGate: { acquire: async () => {} }, // identify spacing is the coordinator's (coordination/)
    logger,
    onDispatch: (r) => records.push(r),
    onStateChange: (from, to, reason) => transitions.push(`${from}→${to} (${reason})`),
    onFatal: (e) => fatals.push(e),
    clock,
    random: () => 0.5,
    connect: net.connect,
    ...extra,
  });
  return { clock, net, records, transitions, fatals, logger, shard };
}

const hello = { op: 10, d: { heartbeat_interval: 40_000 } };
const ready = (session = 'sess-1', s = 1) => ({
  op: 0,
  s,
  t: 'READY',
  d: { session_id: session, resume_gateway_url: 'ws://gw.test/resume' },
});
const message = (s: number) => ({ op: 0, s, t: 'MESSAGE_CREATE', d: { id: String(s) } });

async function toReady(t: ReturnType<typeof setup>) {
  t.shard.start();
  const conn = t.net.last();
  conn.receive(hello);
  await flush();
  conn.receive(ready());
  return conn;
}

describe('Shard (sans-IO)', () => {
  it('connects with the query string, identifies after Hello, becomes ready on READY', async () => {
    const t = setup({ presence: { status: 'idle' } });
    const readyP = t.shard.ready();
    t.shard.start();
    const conn = t.net.last();
    expect(conn.url).toBe('ws://gw.test/gateway?v=10&encoding=json&compress=zlib-stream');
    expect(t.shard.state.kind).toBe('connecting');
    conn.receive(hello);
    await flush();
    expect(conn.sent[0]).toEqual({
      op: 2,
      d: {
        token: 'Bot secret',
        intents: 513,
        properties: { os: process.platform, browser: 'edgeshard', device: 'edgeshard' },
        shard: [1, 2],
        large_threshold: 250,
        presence: { status: 'idle' },
      },
    });
    conn.receive(ready());
    await readyP;
    expect(t.shard.state).toEqual({ kind: 'ready', sessionId: 'sess-1' });
    expect(t.shard.session()).toEqual({ sessionId: 'sess-1', resumeUrl: 'ws://gw.test/resume', seq: 1 });
    expect(t.records.map((r) => [r.type, r.seq, r.session])).toEqual([['READY', 1, 'sess-1']]);
    expect(t.transitions).toEqual([
      'idle→connecting (new session)',
      'connecting→identifying (Hello, waiting for the identify gate)',
      'identifying→ready (READY)',
    ]);
    expect(t.logger.lines.some((l) => l.msg === 'identifying → ready (READY)')).toBe(true);
  });

  it('heartbeats with the last seq; op 1 asks for a beat at once', async () => {
    const t = setup();
    const conn = await toReady(t);
    conn.receive(message(2));
    await t.clock.advance(20_000); // jitter 0.5 × 40 000
    expect(conn.sent.at(-1)).toEqual({ op: 1, d: 2 });
    conn.receive({ op: 11 });
    conn.receive({ op: 1 });
    expect(conn.sent.at(-1)).toEqual({ op: 1, d: 2 });
    expect(conn.sent.filter((p) => p.op === 1)).toHaveLength(2);
  });

  it('op 7 → closes resumably and resumes at the resume URL with the last seq', async () => {
    const t = setup();
    const conn = await toReady(t);
    conn.receive(message(2));
    conn.receive({ op: 7, d: null });
    expect(conn.closed).toEqual({ code: 4900, reason: 'op 7 Reconnect' });
    expect(t.shard.state.kind).toBe('disconnected');
    await t.clock.advance(0);
    const next = t.net.last();
    expect(next).not.toBe(conn);
    expect(next.url).toBe('ws://gw.test/resume?v=10&encoding=json&compress=zlib-stream');
    next.receive(hello);
    expect(next.sent[0]).toEqual({ op: 6, d: { token: 'Bot secret', session_id: 'sess-1', seq: 2 } });
    expect(t.shard.state.kind).toBe('resuming');
    next.receive(message(3));
    next.receive({ op: 0, s: 4, t: 'RESUMED', d: null });
    expect(t.shard.state.kind).toBe('ready');
    expect(t.records.map((r) => r.seq)).toEqual([1, 2, 3, 4]);
    expect(t.shard.stats()).toMatchObject({ identifies: 1, resumes: 1, reconnects: 1, eventsReceived: 4 });
  });

  it('hands each dispatch over with the payload text it was parsed from (spliced into the spool, envelope.ts)', async () => {
    const t = setup();
    const conn = await toReady(t);
    conn.receive(message(2));
    expect(t.records.map((r) => r.payload)).toEqual([JSON.stringify(ready()), JSON.stringify(message(2))]);
    expect(t.records[1]!.data).toEqual({ id: '2' });
  });

  it('op 9 d:true → resume', async () => {
    const t = setup();
    const conn = await toReady(t);
    conn.receive({ op: 9, d: true });
    expect(conn.closed?.code).toBe(4900);
    await t.clock.advance(0);
    t.net.last().receive(hello);
    expect(t.net.last().sent[0]?.op).toBe(6);
  });

  it('op 9 d:false → closes 1000, waits 1–5 s, identifies a new session', async () => {
    const t = setup();
    const conn = await toReady(t);
    conn.receive({ op: 9, d: false });
    expect(conn.closed?.code).toBe(1000);
    expect(t.shard.session()).toBeNull();
    expect(t.shard.state).toMatchObject({ kind: 'disconnected', next: 'reidentify', delayMs: 3_000 });
    await t.clock.advance(2_999);
    expect(t.net.connections).toHaveLength(1);
    await t.clock.advance(1);
    const next = t.net.last();
    expect(next.url).toContain('ws://gw.test/gateway');
    next.receive(hello);
    await t.clock.advance(5_000); // the identify gate spaces identifies 5 s apart
    expect(next.sent[0]?.op).toBe(2);
    next.receive(ready('sess-2', 1));
    expect(t.records.at(-1)).toMatchObject({ type: 'READY', session: 'sess-2', seq: 1 });
  });

  it('zombie: no ACK since the last beat → close non-1000 and resume', async () => {
    const t = setup();
    const conn = await toReady(t);
    await t.clock.advance(20_000); // first beat
    await t.clock.advance(40_000); // no ACK by the next one
    expect(conn.closed?.code).toBe(4900);
    expect(t.transitions).toContainEqual(expect.stringMatching(/^ready→disconnected \(client-zombie/));
    await t.clock.advance(0);
    t.net.last().receive(hello);
    expect(t.net.last().sent[0]?.op).toBe(6);
  });

  it('4004 → fatal with a clear error, no reconnect', async () => {
    const t = setup();
    const conn = await toReady(t);
    const waiting = t.shard.ready();
    conn.serverClose(4004, 'Authentication failed.');
    expect(t.shard.state.kind).toBe('fatal');
    expect(t.fatals).toHaveLength(1);
    expect(t.fatals[0]!.code).toBe('gateway_fatal');
    expect(t.fatals[0]!.message).toMatch(/4004.*DISCORD_TOKEN/);
    await expect(waiting).rejects.toBe(t.fatals[0]);
    await t.clock.advance(120_000);
    expect(t.net.connections).toHaveLength(1);
  });

  it('4007 → reidentify; 4000 → resume', async () => {
    const t = setup();
    const conn = await toReady(t);
    conn.serverClose(4000);
    await t.clock.advance(0);
    t.net.last().receive(hello);
    expect(t.net.last().sent[0]?.op).toBe(6);
    t.net.last().serverClose(4007);
    expect(t.shard.session()).toBeNull();
    await t.clock.advance(60_000);
    t.net.last().receive(hello);
    await t.clock.advance(5_000);
    expect(t.net.last().sent[0]?.op).toBe(2);
  });

  it('reconnects with growing backoff while connections keep failing, never in a tight loop', async () => {
    const t = setup({ random: () => 0.999 });
    t.shard.start();
    const delays: number[] = [];
    for (let i = 0; i < 6; i++) {
      t.net.last().events.error(new Error('ECONNREFUSED'));
      const s = t.shard.state;
      if (s.kind !== 'disconnected') throw new Error(`unexpected state ${s.kind}`);
      delays.push(s.delayMs);
      await t.clock.advance(s.delayMs);
      expect(t.net.connections).toHaveLength(i + 2);
    }
    expect(delays).toEqual([0, 999, 1_998, 3_996, 7_992, 15_984]);
  });

  it('drops a replayed seq it already delivered', async () => {
    const t = setup();
    const conn = await toReady(t);
    conn.receive(message(2));
    conn.receive(message(2));
    expect(t.records.map((r) => r.seq)).toEqual([1, 2]);
  });

  it('a throwing onDispatch does not advance seq: the event is replayed after resume', async () => {
    let fail = true;
    const records: number[] = [];
    const t = setup({
      onDispatch: (r) => {
        if (r.seq === 2 && fail) {
          fail = false;
          throw new Error('spool full');
        }
        records.push(r.seq);
      },
    });
    const conn = await toReady(t);
    conn.receive(message(2));
    expect(conn.closed?.code).toBe(4900);
    await t.clock.advance(0);
    t.net.last().receive(hello);
    expect(t.net.last().sent[0]).toMatchObject({ op: 6, d: { seq: 1 } });
  });

  it('stop(resumable) keeps the session and closes 4900; stop(false) closes 1000 and forgets it', async () => {
    const t = setup();
    const conn = await toReady(t);
    await t.shard.stop();
    expect(conn.closed?.code).toBe(4900);
    expect(t.shard.state).toEqual({ kind: 'stopped', resumable: true });
    expect(t.shard.session()?.sessionId).toBe('sess-1');
    t.shard.start(); // resumes
    t.net.last().receive(hello);
    expect(t.net.last().sent[0]?.op).toBe(6);
    await t.shard.stop({ resumable: false });
    expect(t.net.last().closed?.code).toBe(1000);
    expect(t.shard.session()).toBeNull();
  });

  it('starts by resuming a given session snapshot', async () => {
    const t = setup({ session: { sessionId: 'old', resumeUrl: 'ws://gw.test/resume', seq: 41 } });
    t.shard.start();
    expect(t.net.last().url).toMatch(/^ws:\/\/gw\.test\/resume\?v=10/);
    t.net.last().receive(hello);
    expect(t.net.last().sent[0]).toEqual({ op: 6, d: { token: 'Bot secret', session_id: 'old', seq: 41 } });
  });

  // Issue 11, hole 1: a resume URL that came through the lease table may be a token catcher's.
  for (const url of ['wss://token-catcher.example/gateway', 'ws://gateway.discord.gg', 'wss://gw.test.evil/resume']) {
    it(`never sends the token to ${url}: resumes through the main gateway URL instead`, async () => {
      const t = setup({ session: { sessionId: 'old', resumeUrl: url, seq: 41 } });
      t.shard.start();
      expect(t.net.last().url).toBe('ws://gw.test/gateway?v=10&encoding=json&compress=zlib-stream');
      t.net.last().receive(hello);
      expect(t.net.last().sent[0]).toEqual({ op: 6, d: { token: 'Bot secret', session_id: 'old', seq: 41 } });
      expect(t.logger.lines.some((l) => String(l.msg).startsWith('untrusted resume URL refused'))).toBe(true);
      expect(t.shard.session()).toEqual({ sessionId: 'old', resumeUrl: 'ws://gw.test/gateway', seq: 41 });
    });
  }

  it("resumes at Discord's regional resume host", async () => {
    const t = setup({ session: { sessionId: 'old', resumeUrl: 'wss://gateway-us-east1-b.discord.gg', seq: 41 } });
    t.shard.start();
    expect(t.net.last().url).toMatch(/^wss:\/\/gateway-us-east1-b\.discord\.gg\/\?v=10/);
  });

  it('resumes through the main gateway URL once the resume URL refused three connections in a row', async () => {
    const t = setup({ session: { sessionId: 'old', resumeUrl: 'ws://gw.test/resume', seq: 41 }, random: () => 0 });
    t.shard.start();
    for (let i = 0; i < 3; i++) {
      expect(t.net.last().url).toMatch(/^ws:\/\/gw\.test\/resume\?v=10/);
      t.net.last().events.error(new Error('ECONNREFUSED'));
      const s = t.shard.state;
      if (s.kind !== 'disconnected') throw new Error(`unexpected state ${s.kind}`);
      await t.clock.advance(s.delayMs);
    }
    expect(t.net.last().url).not.toMatch(/\/resume/);
    t.net.last().receive(hello);
    expect(t.net.last().sent[0]).toEqual({ op: 6, d: { token: 'Bot secret', session_id: 'old', seq: 41 } });
  });

  it('send() waits for ready, refuses >4096 B, and is refused once stopped', async () => {
    const t = setup();
    t.shard.start();
    const sent = t.shard.send({ op: 3, d: { status: 'online', activities: [], since: null, afk: false } });
    const conn = t.net.last();
    conn.receive(hello);
    await flush();
    conn.receive(ready());
    await sent;
    expect(conn.sent.at(-1)?.op).toBe(3);
    await expect(t.shard.send({ op: 3, d: 'x'.repeat(5_000) })).rejects.toThrow(/4096 bytes/);
    await t.shard.stop();
    await expect(t.shard.send({ op: 3, d: {} })).rejects.toThrow(/stopped/);
  });

  it('pauseReading/resumeReading reach the transport, also across reconnects', async () => {
    const t = setup();
    const conn = await toReady(t);
    t.shard.pauseReading();
    expect(conn.paused).toBe(true);
    conn.receive({ op: 7, d: null });
    await t.clock.advance(0);
    expect(t.net.last().paused).toBe(true);
    t.shard.resumeReading();
    expect(t.net.last().paused).toBe(false);
  });

  it('a failing identify gate → reconnect with backoff instead of hanging', async () => {
    const t = setup({ identifyGate: { acquire: () => Promise.reject(new Error('coordinator down')) } });
    t.shard.start();
    t.net.last().receive(hello);
    await flush();
    expect(t.net.last().closed).not.toBeNull();
    expect(t.transitions).toContain('identifying→disconnected (error: identify gate failed)');
  });

  it('no Hello in time → reconnect', async () => {
    const t = setup({ helloTimeoutMs: 10_000 });
    t.shard.start();
    await t.clock.advance(10_000);
    expect(t.net.connections[0]!.closed).not.toBeNull();
    expect(t.transitions).toContain('connecting→disconnected (error: no Hello in time)');
    expect(t.net.connections).toHaveLength(2);
  });

  it('reports session starts and ends (for persistence): READY → snapshot at seq 0; reidentify → null', async () => {
    const sessions: unknown[] = [];
    const t = setup({ onSession: (s) => sessions.push(s) });
    const conn = await toReady(t);
    expect(sessions).toEqual([{ sessionId: 'sess-1', resumeUrl: 'ws://gw.test/resume', seq: 0 }]);
    conn.receive({ op: 9, d: false });
    expect(sessions).toHaveLength(2);
    expect(sessions[1]).toBeNull();
  });

  it('an identify gate that names a wait (budget breaker) → no socket held, reconnect after that wait', async () => {
    const refusal = Object.assign(new Error('identify budget exhausted'), { retryAfterMs: 60_000 });
    let refuse = true;
    const t = setup({ identifyGate: { acquire: () => (refuse ? Promise.reject(refusal) : Promise.resolve()) } });
    t.shard.start();
    t.net.last().receive(hello);
    await flush();
    expect(t.net.last().closed).not.toBeNull();
    expect(t.shard.state).toMatchObject({ kind: 'disconnected', delayMs: 60_000, next: 'reidentify' });
    refuse = false;
    await t.clock.advance(59_999);
    expect(t.net.connections).toHaveLength(1);
    await t.clock.advance(1);
    t.net.last().receive(hello);
    await flush();
    expect(t.net.last().sent[0]?.op).toBe(2);
  });

  it('paused by backpressure: heartbeats continue and no false zombie; reading again restores detection', async () => {
    const t = setup();
    const conn = await toReady(t);
    t.shard.pauseReading();
    await t.clock.advance(20_000 + 40_000 * 5);
    expect(conn.closed).toBeNull();
    expect(conn.sent.filter((p) => p.op === 1).length).toBe(6);
    t.shard.resumeReading();
    await t.clock.advance(40_000); // beat; the wait for proof of life starts over
    conn.receive({ op: 11 });
    await t.clock.advance(40_000); // ACKed: beat again
    expect(conn.closed).toBeNull();
    await t.clock.advance(40_000); // nothing inbound for a full interval after the last beat → zombie
    expect(conn.closed?.code).toBe(4900);
  });

  it('inbound dispatches count as proof of life (no ACK needed while events flow)', async () => {
    const t = setup();
    const conn = await toReady(t);
    await t.clock.advance(20_000);
    for (let s = 2; s < 6; s++) {
      conn.receive(message(s));
      await t.clock.advance(40_000);
    }
    expect(conn.closed).toBeNull();
  });
});
