// One ShardCoordinator per platform, in the Workers runtime: a host connects to QQ's with ?platform=qq, the
// QQ coordinator checks resume URLs against QQ's gateway hosts, /events admits a batch with the coordinator
// of its events' platform (a batch mixing platforms is refused), and a QQ event delivered by the websocket
// (a host's batch) and by QQ's webhook runs its handlers once.
import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  LEASE_PROTOCOL_VERSION as v,
  type CoordinatorMessage,
  type EventEnvelope,
  type EventResult,
  type HostMessage,
} from '../../protocol/index.ts';
import { createApp } from '../../workers/app.ts';
import { coordinatorNameFor, coordinatorStub } from '../../workers/coordinator/stub.ts';
import { onQQ, Registry } from '../../workers/dispatch/registry.ts';
import type { Env } from '../../workers/env.ts';
import { toHex } from '../../workers/interactions/ed25519.ts';
import { qqKeyPair } from '../../workers/qq/keys.ts';
import { batch, envelope, resetCoordinator, signedRequest, leaseConnect } from './helpers.ts';

beforeEach(resetCoordinator);

const testEnv = env as unknown as Env;
const gateway = {
  maxConcurrency: 1,
  sessionStartTotal: 1000,
  sessionStartRemaining: 1000,
  sessionStartResetAfterMs: 0,
};

async function connect(query: string) {
  const hostId = `host-${crypto.randomUUID().slice(0, 8)}`;
  const res = await leaseConnect(hostId, { query });
  const ws = res.webSocket;
  const inbox: CoordinatorMessage[] = [];
  const waiting: { type: string; resolve(m: CoordinatorMessage): void }[] = [];
  let closed: (code: number) => void = () => {};
  const close = new Promise<number>((r) => (closed = r));
  ws?.accept();
  ws?.addEventListener('message', (e) => {
    const msg = JSON.parse(String(e.data)) as CoordinatorMessage;
    const i = waiting.findIndex((w) => w.type === msg.type);
    if (i >= 0) waiting.splice(i, 1)[0]!.resolve(msg);
    else inbox.push(msg);
  });
  ws?.addEventListener('close', (e) => closed(e.code));
  return {
    hostId,
    res,
    close,
    next: (type: string): Promise<CoordinatorMessage> => {
      const i = inbox.findIndex((m) => m.type === type);
      if (i >= 0) return Promise.resolve(inbox.splice(i, 1)[0]!);
      return new Promise((resolve) => waiting.push({ type, resolve }));
    },
    send: (m: HostMessage) => ws!.send(JSON.stringify(m)),
    end: () => ws?.close(1000, 'done'),
  };
}

const report = (resumeUrl: string) => ({
  shard: 0,
  epoch: 0,
  state: 'ready',
  session: { sessionId: 'q1', resumeUrl, seq: 3 },
  latencyMs: null,
  guilds: null,
  lastEventAgeMs: null,
});

describe('a coordinator per platform', () => {
  it('names them discord:{bot id} and qq:{QQ_APP_ID}', () => {
    expect(coordinatorNameFor(testEnv, 'qq')).toBe('qq:102000001');
    expect(coordinatorNameFor({ ...testEnv, QQ_APP_ID: '' }, 'qq')).toBe('qq:default');
    expect(coordinatorNameFor({ ...testEnv, DISCORD_TOKEN: 'MTIzNDU2Nzg5MDEy.x.y' }, 'discord')).toBe(
      'discord:123456789012',
    );
  });

  it('connects ?platform=qq to the QQ instance: its shards are leased there, not on Discord’s', async () => {
    const host = await connect('?platform=qq');
    expect(host.res.status).toBe(101);
    host.send({ v, type: 'hello', id: 1, capacity: 2, shardCount: 1, gateway, shards: [] });
    const assign = (await host.next('assign')) as Extract<CoordinatorMessage, { type: 'assign' }>;
    expect([assign.shard, assign.epoch]).toEqual([0, 1]);
    const qq = await coordinatorStub(testEnv, 'qq').status();
    expect(qq.hosts.map((h) => h.id)).toEqual([host.hostId]);
    expect(qq.shards.map((s) => [s.shard, s.owner])).toEqual([[0, host.hostId]]);
    const discord = await coordinatorStub(testEnv, 'discord').status();
    expect(discord.hosts).toEqual([]);
    host.end();
  });

  it('refuses an unknown ?platform with 400 naming the choices', async () => {
    const { res } = await connect('?platform=telegram');
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('lease_protocol');
    expect(body.error.message).toContain('use ?platform=discord or ?platform=qq');
  });

  const resumeUrls: [string, string, string, boolean][] = [
    ['qq', 'QQ’s gateway host', 'wss://api.sgroup.qq.com/websocket', true],
    ['qq', 'QQ’s sandbox gateway host', 'wss://sandbox.api.sgroup.qq.com/websocket', true],
    ['qq', 'the origin of QQ_API_URL (the emulator)', 'ws://qq.emulator.test/qq/gateway', true],
    ['qq', 'a Discord gateway host', 'wss://gateway-us-east1-b.discord.gg', false],
    ['', 'a QQ gateway host', 'wss://api.sgroup.qq.com/websocket', false],
    ['', 'a Discord gateway host', 'wss://gateway-us-east1-b.discord.gg', true],
  ];
  for (const [platform, what, url, ok] of resumeUrls) {
    it(`the ${platform || 'discord'} coordinator ${ok ? 'takes' : 'refuses'} a resume URL on ${what}`, async () => {
      const host = await connect(platform ? `?platform=${platform}` : '');
      host.send({ v, type: 'hello', id: 1, capacity: 2, shardCount: 1, gateway, shards: [report(url)] });
      if (ok) {
        expect(await host.next('welcome')).toMatchObject({ type: 'welcome' });
        host.end();
      } else {
        const error = (await host.next('error')) as Extract<CoordinatorMessage, { type: 'error' }>;
        expect(error.code).toBe('lease_protocol');
        expect(error.message).toContain('is not a platform gateway host');
        expect(await host.close).toBe(4400);
      }
    });
  }
});

const SIGNED_QQ_SECRET = 'qq-test-secret-0123456789abcdefgh';

function qqEvent(id: string, seq: number): EventEnvelope {
  return {
    id: `qq:${id}`,
    platform: 'qq',
    shard: 0,
    session: 'q1',
    seq,
    type: 'GROUP_AT_MESSAGE_CREATE',
    data: groupAt(id).d,
    receivedAt: Date.now(),
  };
}

function groupAt(id: string) {
  return {
    id,
    op: 0,
    t: 'GROUP_AT_MESSAGE_CREATE',
    d: {
      id: `ROBOT1.0_${id}`,
      author: { member_openid: 'M1' },
      content: ' hello',
      timestamp: '2024-01-01T00:00:00+08:00',
      group_openid: 'G1',
    },
  };
}

async function qqSigned(body: string): Promise<RequestInit> {
  const { privateKey } = await qqKeyPair(SIGNED_QQ_SECRET);
  const timestamp = String(Math.floor(Date.now() / 1000));
  const signature = toHex(
    await crypto.subtle.sign({ name: 'Ed25519' }, privateKey, new TextEncoder().encode(timestamp + body)),
  );
  return {
    method: 'POST',
    body,
    headers: {
      'content-type': 'application/json',
      'x-signature-ed25519': signature,
      'x-signature-timestamp': timestamp,
      'x-bot-appid': '102000001',
    },
  };
}

function qqBot() {
  const runs: string[] = [];
  const app = createApp(new Registry([onQQ('GROUP_AT_MESSAGE_CREATE', (_m, ctx) => void runs.push(ctx.event.id))]));
  const request = async (path: string, init: RequestInit) => {
    const ctx = createExecutionContext();
    const res = await app.request(path, init, env, ctx);
    await waitOnExecutionContext(ctx);
    return res;
  };
  return {
    runs,
    events: async (body: unknown) => {
      const res = await request('/events', await signedRequest(JSON.stringify(body)));
      return {
        status: res.status,
        body: (await res.json()) as { results?: EventResult[]; error?: { code: string; message: string } },
      };
    },
    webhook: async (id: string) => {
      const res = await request('/webhooks/qq', await qqSigned(JSON.stringify(groupAt(id))));
      return { status: res.status, body: await res.json() };
    },
  };
}

describe('QQ events run once, whichever way they arrive', () => {
  it('websocket first, then the webhook: the webhook is acknowledged (op 12) without running again', async () => {
    const bot = qqBot();
    expect((await bot.events(batch([qqEvent('GROUP_AT_MESSAGE_CREATE:w1', 1)]))).body.results).toEqual([
      { id: 'qq:GROUP_AT_MESSAGE_CREATE:w1', outcome: 'ack' },
    ]);
    expect(await bot.webhook('GROUP_AT_MESSAGE_CREATE:w1')).toEqual({ status: 200, body: { op: 12, d: 0 } });
    expect(bot.runs).toEqual(['qq:GROUP_AT_MESSAGE_CREATE:w1']);
  });

  it('webhook first, then the websocket: the batch acknowledges it without running again', async () => {
    const bot = qqBot();
    expect(await bot.webhook('GROUP_AT_MESSAGE_CREATE:w2')).toEqual({ status: 200, body: { op: 12, d: 0 } });
    expect((await bot.events(batch([qqEvent('GROUP_AT_MESSAGE_CREATE:w2', 1)]))).body.results).toEqual([
      { id: 'qq:GROUP_AT_MESSAGE_CREATE:w2', outcome: 'ack' },
    ]);
    expect(bot.runs).toEqual(['qq:GROUP_AT_MESSAGE_CREATE:w2']);
  });

  it('a redelivered webhook runs once', async () => {
    const bot = qqBot();
    expect((await bot.webhook('GROUP_AT_MESSAGE_CREATE:w3')).status).toBe(200);
    expect(await bot.webhook('GROUP_AT_MESSAGE_CREATE:w3')).toEqual({ status: 200, body: { op: 12, d: 0 } });
    expect(bot.runs).toEqual(['qq:GROUP_AT_MESSAGE_CREATE:w3']);
  });

  it('the same event id on Discord’s ledger does not count for QQ (each platform has its own ledger)', async () => {
    const bot = qqBot();
    const discordCopy = { ...envelope(1), id: 'qq:GROUP_AT_MESSAGE_CREATE:w4' };
    expect((await bot.events(batch([discordCopy]))).status).toBe(200);
    expect((await bot.webhook('GROUP_AT_MESSAGE_CREATE:w4')).status).toBe(200);
    expect(bot.runs).toEqual(['qq:GROUP_AT_MESSAGE_CREATE:w4']);
  });

  it('refuses a batch mixing Discord and QQ events with 400, running nothing', async () => {
    const bot = qqBot();
    const res = await bot.events(batch([envelope(1), qqEvent('GROUP_AT_MESSAGE_CREATE:m1', 1)]));
    expect(res.status).toBe(400);
    expect(res.body.error?.code).toBe('malformed_batch');
    expect(res.body.error?.message).toContain('events of discord and qq in one batch');
    expect(bot.runs).toEqual([]);
  });
});
