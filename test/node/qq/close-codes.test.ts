import { describe, expect, it } from 'vitest';
import {
  QQ_CLOSE_CODES,
  QQ_UNKNOWN_CLOSE_CODE,
  qqCloseCodeRow,
} from '../../../shard-host/gateway/dialects/qq-close-codes.ts';
import { qqDialect } from '../../../shard-host/gateway/dialects/qq.ts';
import { handleClose } from '../../../shard-host/gateway/protocol.ts';

// One row per code, written out by hand from QQ's table (api-v2, 事件订阅与通知 > WebSocket 方式 >
// WebSocket 错误码, columns 是否可以重试 RESUME / IDENTIFY) so the data table is checked against an independent copy.
const expected: Array<[code: number, action: 'resume' | 'reidentify' | 'fatal', fix?: RegExp]> = [
  [4001, 'fatal', /bug/],
  [4002, 'fatal', /bug/],
  [4003, 'resume'],
  [4004, 'resume'],
  [4005, 'resume'],
  [4006, 'reidentify'],
  [4007, 'reidentify'],
  [4008, 'resume'],
  [4009, 'resume'],
  [4010, 'fatal', /shard count/],
  [4011, 'fatal', /more shards/],
  [4012, 'fatal', /QQ_API_URL/],
  [4013, 'fatal', /EDGESHARD_QQ_INTENTS/],
  [4014, 'fatal', /开发设置.*EDGESHARD_QQ_INTENTS/],
  [4914, 'fatal', /QQ_SANDBOX=on/],
  [4915, 'fatal', /ban lifted/],
  [1000, 'resume'],
  [1001, 'resume'],
];

describe('QQ close codes', () => {
  it('the table has exactly the rows checked below', () => {
    expect(Object.keys(QQ_CLOSE_CODES).map(Number).sort()).toEqual(expected.map(([c]) => c).sort());
  });

  it.each(expected)('%i → %s', (code, action, fix) => {
    const row = qqCloseCodeRow(code);
    expect(row.action).toBe(action);
    expect(row.meaning.length > 0).toBe(true);
    const outcome = handleClose(code, '', 2, qqDialect);
    if (action === 'fatal') {
      expect(row.fix).toMatch(fix!);
      expect(outcome.type).toBe('fatal');
      if (outcome.type === 'fatal') {
        expect(outcome.error.code).toBe('gateway_fatal');
        expect(outcome.error.message).toMatch(new RegExp(`^QQ gateway closed by server with ${code} .* on shard 2`));
        expect(outcome.error.message).toMatch(fix!);
      }
    } else {
      expect(outcome).toMatchObject({ type: 'reconnect', initiator: 'server', code, next: action });
    }
  });

  it('4004 asks for a new access token before reconnecting; no other row does', () => {
    for (const [code] of expected) {
      const outcome = handleClose(code, '', 0, qqDialect);
      expect(outcome.type === 'reconnect' && outcome.refreshToken === true).toBe(code === 4004);
    }
  });

  it.each([4900, 4905, 4913])('internal error %i → reidentify', (code) => {
    expect(qqCloseCodeRow(code)).toMatchObject({ action: 'reidentify' });
    expect(handleClose(code, '', 0, qqDialect)).toMatchObject({ type: 'reconnect', next: 'reidentify' });
  });

  it.each([1006, 4000, 4899, 4916, 3000])('unknown code %i → resume', (code) => {
    expect(qqCloseCodeRow(code)).toBe(QQ_UNKNOWN_CLOSE_CODE);
    expect(handleClose(code, '', 0, qqDialect)).toMatchObject({ type: 'reconnect', next: 'resume' });
  });
});
