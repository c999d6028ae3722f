// The lease client with a fake link, a fake shard runner and a fake clock: renewals, fencing before the
// lease could expire, handoff by release, reconnect with jitter, identify slots, shutdown.
import { describe, expect, it } from 'vitest';
import {
  LEASE_PROTOCOL_VERSION as v,
  type CoordinatorMessage,
  type HostMessage,
  type SessionInfo,
} from '../../../protocol/index.ts';
import {
  fenceMarginMs,
  IDENTIFY_REASK_MS,
  IdentifyDeferred,
  LeaseClient,
  type ShardRunner,
} from '../../../shard-host/lease/client.ts';
import type { LeaseLinkEvents } from '../../../shard-host/lease/transport.ts';
import { memoryLogger } from '../../../shard-host/log.ts';
import { FakeClock, flush } from '../gateway/fakes.ts';

const TTL = 3_000;
type WithoutV<T> = T extends unknown ? Omit<T, 'v'> : never;

function setup(random = () => 0.5) {
  const clock = new FakeClock(1_000_000);
  const links: { events: LeaseLinkEvents; sent: HostMessage[]; closed: boolean }[] = [];
  const running = new Map<number, SessionInfo | null>();
  const log: string[] = [];
  const logger = memoryLogger();
  const runner: ShardRunner = {
    start: (shard, session) => void (running.set(shard, session), log.push(`start ${shard}`)),
    stop: async (shard, reason) => (
      running.delete(shard),
      log.push(`stop ${shard} (${reason})`),
      { sessionId: `s${shard}`, resumeUrl: 'wss://r', seq: 42 }
    ),
    report: () => ({ state: 'ready', session: null, latencyMs: 10, guilds: 1, lastEventAgeMs: 0 }),
    command: async (shard, payload) => void log.push(`command ${shard} op ${payload.op}`),
  };
  const client = new LeaseClient({
    hostId: 'h1',
    capacity: 4,
    shardCount: 4,
    gateway: { maxConcurrency: 1, sessionStartTotal: 1000, sessionStartRemaining: 1000, sessionStartResetAfterMs: 0 },
    connect: (events) => {
      const link = { events, sent: [] as HostMessage[], closed: false };
      links.push(link);
      return {
        send: (m) => (link.sent.push(m), true),
        close: (code = 1000, reason = '') => ((link.closed = true), events.close(code, reason)),
      };
    },
    runner,
    logger,
    clock,
    random,
  });
  const link = () => links[links.length - 1]!;
  const deliver = (m: WithoutV<CoordinatorMessage>) => link().events.message({ v, ...m } as CoordinatorMessage);
  const open = () => {
    link().events.open();
    deliver({ type: 'welcome', leaseTtlMs: TTL, renewEveryMs: 1_000, shardCount: 4 });
    const hello = link().sent.find((m) => m.type === 'hello') as Extract<HostMessage, { type: 'hello' }>;
    deliver({ type: 'renewed', id: hello.id });
    return hello;
  };
  /** Answers every renewal sent so far. */
  const confirm = () => {
    for (const m of link().sent) if (m.type === 'renew') deliver({ type: 'renewed', id: m.id });
  };
  return { clock, client, links, link, deliver, open, confirm, running, log, logger };
}

describe('LeaseClient', () => {
  it('announces itself, runs what it is assigned, renews with per-shard reports and stamps the epoch', async () => {
    const t = setup();
    t.client.start();
    const hello = t.open();
    expect(hello).toMatchObject({ capacity: 4, shardCount: 4, shards: [] });
    t.deliver({
      type: 'assign',
      shard: 2,
      epoch: 5,
      shardCount: 4,
      session: { sessionId: 's', resumeUrl: 'wss://r', seq: 9 },
    });
    await flush();
    expect(t.running.get(2)).toEqual({ sessionId: 's', resumeUrl: 'wss://r', seq: 9 });
    expect(t.client.epoch(2)).toBe(5);
    expect(t.client.epoch(1)).toBe(0);
    await t.clock.advance(1_000);
    const renew = t.link().sent.find((m) => m.type === 'renew') as Extract<HostMessage, { type: 'renew' }>;
    expect(renew.shards).toEqual([
      { shard: 2, epoch: 5, state: 'ready', session: null, latencyMs: 10, guilds: 1, lastEventAgeMs: 0 },
    ]);
  });

  it('keeps its shards but gates new connections while renewals go unanswered, and opens the gate when answered', async () => {
    const t = setup();
    t.client.start();
    t.open();
    const confirmedSendAt = t.clock.now();
    t.deliver({ type: 'assign', shard: 0, epoch: 1, shardCount: 4, session: null });
    t.deliver({ type: 'assign', shard: 1, epoch: 1, shardCount: 4, session: null });
    await flush();
    expect(t.client.connectGate.allowed(0)).toBe(true);
    expect(t.client.connectGate.allowed(2)).toBe(false); // not leased here
    // From now on nothing is confirmed (the coordinator is unreachable). The coordinator could expire the
    // lease at the earliest TTL after it received the last confirmed message, which we sent at confirmedSendAt.
    await t.clock.advance(TTL - fenceMarginMs(TTL) - 1);
    expect(t.client.connectGate.allowed(0)).toBe(true);
    await t.clock.advance(1);
    expect(t.clock.now()).toBeLessThan(confirmedSendAt + TTL);
    // Unconfirmed: no shard is stopped (their sessions stay alive, their events keep spooling), but no new
    // connection may open.
    expect(t.running.size).toBe(2);
    expect(t.client.connectGate.allowed(0)).toBe(false);
    expect(t.client.epoch(0)).toBe(1);
    expect(t.logger.lines.some((l) => String(l.msg).startsWith('lease unconfirmed: keeping the connections'))).toBe(
      true,
    );
    let opened = false;
    const wait = t.client.connectGate.wait(0, new AbortController().signal).then(() => (opened = true));
    await t.clock.advance(10_000);
    expect(opened).toBe(false);
    // Renewals unanswered for a TTL: the link is presumed dead and reopened. The coordinator answers the new
    // link's hello: the gate opens.
    expect(t.links).toHaveLength(2);
    t.open();
    await wait;
    expect(opened).toBe(true);
    expect(t.client.connectGate.allowed(0)).toBe(true);
  });

  it('a wait at the connect gate ends when the shard is stopped (aborted)', async () => {
    const t = setup();
    t.client.start();
    t.open();
    t.deliver({ type: 'assign', shard: 0, epoch: 1, shardCount: 4, session: null });
    await t.clock.advance(TTL);
    const abort = new AbortController();
    const wait = t.client.connectGate.wait(0, abort.signal);
    abort.abort(new Error('stopped'));
    await expect(wait).rejects.toThrow('stopped');
  });

  it('keeps its shards while renewals are confirmed', async () => {
    const t = setup();
    t.client.start();
    t.open();
    t.deliver({ type: 'assign', shard: 0, epoch: 1, shardCount: 4, session: null });
    for (let i = 0; i < 10; i++) {
      await t.clock.advance(1_000);
      t.confirm();
    }
    expect(t.running.size).toBe(1);
  });

  it('releases a revoked shard with its final session, so the next owner resumes from it', async () => {
    const t = setup();
    t.client.start();
    t.open();
    t.deliver({ type: 'assign', shard: 3, epoch: 2, shardCount: 4, session: null });
    t.deliver({ type: 'revoke', shard: 3, epoch: 1, reason: 'rebalance' }); // an older epoch: ignored
    await flush();
    expect(t.running.has(3)).toBe(true);
    t.deliver({ type: 'revoke', shard: 3, epoch: 2, reason: 'rebalance' });
    await flush();
    expect(t.running.has(3)).toBe(false);
    expect(t.link().sent.filter((m) => m.type === 'released')).toEqual([
      {
        v,
        type: 'released',
        shard: 3,
        epoch: 2,
        session: { sessionId: 's3', resumeUrl: 'wss://r', seq: 42 },
        reason: 'moving to another host',
      },
    ]);
  });

  it('reconnects with jitter well inside the fence margin and reports what it still runs', async () => {
    const t = setup(() => 0.99);
    t.client.start();
    t.open();
    t.deliver({ type: 'assign', shard: 1, epoch: 4, shardCount: 4, session: null });
    await flush();
    t.link().events.close(1006, 'deploy');
    expect(t.links).toHaveLength(1);
    await t.clock.advance(fenceMarginMs(TTL) / 2);
    expect(t.links).toHaveLength(2);
    t.link().events.open();
    const hello = t.link().sent.find((m) => m.type === 'hello') as Extract<HostMessage, { type: 'hello' }>;
    expect(hello.shards.map((s) => [s.shard, s.epoch])).toEqual([[1, 4]]);
    expect(t.running.has(1)).toBe(true);
  });

  it('waits for the identify slot the coordinator grants, and defers when it says wait', async () => {
    const t = setup();
    t.client.start();
    t.open();
    t.deliver({ type: 'assign', shard: 0, epoch: 1, shardCount: 4, session: null });
    let granted = false;
    const p = t.client.identifyGate.acquire(0).then(() => (granted = true));
    const ask = t.link().sent.find((m) => m.type === 'identify') as Extract<HostMessage, { type: 'identify' }>;
    expect(ask).toMatchObject({ shard: 0, epoch: 1 });
    t.deliver({ type: 'identify-grant', id: ask.id, shard: 0, waitMs: 2_000 });
    await t.clock.advance(1_999);
    expect(granted).toBe(false);
    await t.clock.advance(1);
    await p;
    expect(granted).toBe(true);

    const q = t.client.identifyGate.acquire(0);
    const ask2 = t
      .link()
      .sent.filter((m) => m.type === 'identify')
      .at(-1) as Extract<HostMessage, { type: 'identify' }>;
    t.deliver({ type: 'identify-wait', id: ask2.id, shard: 0, retryAfterMs: 60_000, reason: 'budget' });
    await expect(q).rejects.toMatchObject({ retryAfterMs: 60_000 });
    await expect(t.client.identifyGate.acquire(3)).rejects.toBeInstanceOf(IdentifyDeferred);
  });

  it('hands gateway commands to the shard it runs at that epoch, and drops others', async () => {
    const t = setup();
    t.client.start();
    t.open();
    t.deliver({ type: 'assign', shard: 0, epoch: 1, shardCount: 4, session: null });
    t.deliver({ type: 'command', shard: 0, epoch: 1, payload: { op: 3, d: {} } });
    t.deliver({ type: 'command', shard: 0, epoch: 7, payload: { op: 8, d: {} } });
    await flush();
    expect(t.log.filter((l) => l.startsWith('command'))).toEqual(['command 0 op 3']);
    // Operators (and the e2e test) can see which host sent what.
    expect(t.logger.lines.filter((l) => l.msg === 'gateway command sent')).toEqual([
      expect.objectContaining({ host: 'h1', shard: 0, epoch: 1, op: 3 }),
    ]);
    expect(
      t.logger.lines.filter((l) => l.msg === 'gateway command for a shard this host does not run; dropped'),
    ).toHaveLength(1);
  });

  it('on shutdown releases every shard, then says bye', async () => {
    const t = setup();
    t.client.start();
    t.open();
    t.deliver({ type: 'assign', shard: 0, epoch: 1, shardCount: 4, session: null });
    t.deliver({ type: 'assign', shard: 1, epoch: 1, shardCount: 4, session: null });
    await t.client.shutdown();
    expect(
      t
        .link()
        .sent.slice(-3)
        .map((m) => m.type),
    ).toEqual(['released', 'released', 'bye']);
    expect(t.link().closed).toBe(true);
  });

  describe('identify answers (identifyGate.answered)', () => {
    const identifies = (t: ReturnType<typeof setup>) =>
      t.link().sent.filter((m) => m.type === 'identify') as Extract<HostMessage, { type: 'identify' }>[];
    const answers = (t: ReturnType<typeof setup>) => t.link().sent.filter((m) => m.type === 'answered');

    async function granted(answersSupported: boolean) {
      const t = setup();
      t.client.start();
      t.link().events.open();
      t.deliver({
        type: 'welcome',
        leaseTtlMs: TTL,
        renewEveryMs: 1_000,
        shardCount: 4,
        ...(answersSupported ? { answers: true } : {}),
      });
      const hello = t.link().sent.find((m) => m.type === 'hello') as Extract<HostMessage, { type: 'hello' }>;
      t.deliver({ type: 'renewed', id: hello.id });
      t.deliver({ type: 'assign', shard: 2, epoch: 3, shardCount: 4, session: null });
      const gate = t.client.identifyGate;
      const p = gate.acquire(2);
      t.deliver({ type: 'identify-grant', id: identifies(t)[0]!.id, shard: 2, waitMs: 0 });
      await t.clock.advance(0);
      await p;
      return { t, gate, hello };
    }

    it('announces that it reports answers, and reports each granted identify once', async () => {
      const { t, gate, hello } = await granted(true);
      expect(hello.answers).toBe(true);
      gate.answered(2);
      gate.answered(2); // op 9 after READY, or a close: already reported
      gate.answered(1); // never granted
      expect(answers(t)).toEqual([{ v, type: 'answered', shard: 2, epoch: 3 }]);
    });

    it('sends no answers to a coordinator that did not ask for them', async () => {
      const { t, gate } = await granted(false);
      gate.answered(2);
      expect(answers(t)).toEqual([]);
    });

    it('asks again with the same id while queued, and stops once granted or aborted', async () => {
      const t = setup();
      t.client.start();
      t.open();
      t.deliver({ type: 'assign', shard: 0, epoch: 1, shardCount: 4, session: null });
      const abort = new AbortController();
      const p = t.client.identifyGate.acquire(0, abort.signal);
      const advance = async (ms: number) => {
        for (let i = 0; i < ms; i += 500) {
          await t.clock.advance(500);
          t.confirm(); // the lease holds meanwhile
        }
      };
      await advance(IDENTIFY_REASK_MS * 2);
      const asked = identifies(t);
      expect(asked.map((m) => m.id)).toEqual([asked[0]!.id, asked[0]!.id, asked[0]!.id]);
      abort.abort(new Error('stopped'));
      await expect(p).rejects.toThrow('stopped');
      await advance(IDENTIFY_REASK_MS * 2);
      expect(identifies(t)).toHaveLength(3);
    });
  });
});
