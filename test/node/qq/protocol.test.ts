// The QQ dialect's opcode table and payloads, one row each, through the shared sans-IO core.
import { describe, expect, it } from 'vitest';
import { QQ_OPCODES } from '../../../protocol/qq.ts';
import { discordDialect } from '../../../shard-host/gateway/dialects/discord.ts';
import { qqDialect } from '../../../shard-host/gateway/dialects/qq.ts';
import { handle } from '../../../shard-host/gateway/protocol.ts';

const ctx = { random: () => 0.5, dialect: qqDialect };

describe('QQ opcodes (事件订阅与通知 > OpCode 含义)', () => {
  it.each([
    ['dispatch', 0],
    ['heartbeat', 1],
    ['identify', 2],
    ['resume', 6],
    ['reconnect', 7],
    ['invalidSession', 9],
    ['hello', 10],
    ['heartbeatAck', 11],
  ] as const)('%s = %i', (name, op) => {
    expect(qqDialect.opcodes[name]).toBe(op);
  });

  it('12 and 13 are webhook-only and not in the gateway table', () => {
    expect(Object.values(qqDialect.opcodes).includes(QQ_OPCODES.HTTP_CALLBACK_ACK)).toBe(false);
    expect(Object.values(qqDialect.opcodes).includes(QQ_OPCODES.CALLBACK_VALIDATION)).toBe(false);
    expect(handle({ op: 13, d: {} }, ctx)).toEqual([{ type: 'ignore', reason: 'unhandled opcode 13' }]);
  });
});

describe('QQ payloads through the core', () => {
  it('Hello → hello', () => {
    expect(handle({ op: 10, d: { heartbeat_interval: 45_000 } }, ctx)).toEqual([{ type: 'hello', intervalMs: 45_000 }]);
  });

  it('READY: the session, no resume URL (QQ names none), then the dispatch', () => {
    const d = { version: 1, session_id: 's-1', user: { id: 'b', username: 'bot', bot: true }, shard: [0, 1] };
    expect(handle({ op: 0, s: 1, t: 'READY', d }, ctx)).toEqual([
      { type: 'ready', sessionId: 's-1', resumeUrl: null },
      { type: 'dispatch', seq: 1, event: 'READY', data: d },
    ]);
  });

  it('READY without session_id is ignored', () => {
    expect(handle({ op: 0, s: 1, t: 'READY', d: { version: 1 } }, ctx)).toEqual([
      { type: 'ignore', reason: 'READY without the session fields QQ documents' },
    ]);
  });

  it("a dispatch carries QQ's event id", () => {
    const p = { op: 0, id: 'GROUP_AT_MESSAGE_CREATE:abc', s: 5, t: 'GROUP_AT_MESSAGE_CREATE', d: { id: 'm' } };
    expect(handle(p, ctx)).toEqual([
      {
        type: 'dispatch',
        seq: 5,
        event: 'GROUP_AT_MESSAGE_CREATE',
        data: { id: 'm' },
        eventId: 'GROUP_AT_MESSAGE_CREATE:abc',
      },
    ]);
  });

  it('the same dispatch through the Discord dialect has no event id', () => {
    const p = { op: 0, id: 'X:1', s: 5, t: 'MESSAGE_CREATE', d: {} };
    expect(handle(p, { random: () => 0.5, dialect: discordDialect })).toEqual([
      { type: 'dispatch', seq: 5, event: 'MESSAGE_CREATE', data: {} },
    ]);
  });

  it('RESUMED (d is "") → dispatch, then resumed', () => {
    expect(handle({ op: 0, s: 9, t: 'RESUMED', d: '' }, ctx)).toEqual([
      { type: 'dispatch', seq: 9, event: 'RESUMED', data: '' },
      { type: 'resumed' },
    ]);
  });

  it('RESUMED without a seq still ends the replay', () => {
    expect(handle({ op: 0, t: 'RESUMED', d: '' }, ctx)).toEqual([{ type: 'resumed' }]);
  });

  it('op 7 → resume now; op 9 without d → identify after 1–5 s', () => {
    expect(handle({ op: 7 }, ctx)).toEqual([
      {
        type: 'reconnect',
        initiator: 'client-reconnect',
        code: 4900,
        next: 'resume',
        delayMs: 0,
        reason: 'op 7 Reconnect',
      },
    ]);
    expect(handle({ op: 9 }, ctx)).toMatchObject([
      { type: 'reconnect', code: 1000, next: 'reidentify', delayMs: 3_000 },
    ]);
  });

  it('op 1 → heartbeat now; op 11 → ack', () => {
    expect(handle({ op: 1 }, ctx)).toEqual([{ type: 'heartbeat' }]);
    expect(handle({ op: 11 }, ctx)).toEqual([{ type: 'heartbeat-ack' }]);
  });

  it('Identify, Resume and Heartbeat as QQ documents them', () => {
    expect(qqDialect.identify({ token: 'tok', intents: 513, shard: [1, 4], largeThreshold: 250 })).toEqual({
      op: 2,
      d: {
        token: 'QQBot tok',
        intents: 513,
        shard: [1, 4],
        properties: { $os: process.platform, $browser: 'edgeshard', $device: 'edgeshard' },
      },
    });
    expect(qqDialect.resume('tok', { sessionId: 's', resumeUrl: 'wss://x', seq: 42 })).toEqual({
      op: 6,
      d: { token: 'QQBot tok', session_id: 's', seq: 42 },
    });
    expect(qqDialect.heartbeat(null)).toEqual({ op: 1, d: null });
  });

  it('the gateway URL is used as given (no query, no compression)', () => {
    expect(qqDialect.url('wss://api.sgroup.qq.com/websocket', 'zlib-stream')).toBe('wss://api.sgroup.qq.com/websocket');
  });
});
