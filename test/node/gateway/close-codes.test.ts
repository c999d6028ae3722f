import { describe, expect, it } from 'vitest';
import { CLOSE_CODES, closeCodeRow, UNKNOWN_CLOSE_CODE } from '../../../shard-host/gateway/close-codes.ts';
import { handleClose } from '../../../shard-host/gateway/protocol.ts';

const PORTAL = /Developer Portal > .*Bot > Privileged Gateway Intents/;

// One row per code, written out by hand from Discord's table (Opcodes and Status Codes > Gateway Close
// Event Codes) so the data table is checked against an independent copy.
const expected: Array<[code: number, action: 'resume' | 'reidentify' | 'fatal', fix?: RegExp]> = [
  [4000, 'resume'],
  [4001, 'resume'],
  [4002, 'resume'],
  [4003, 'resume'],
  [4004, 'fatal', /DISCORD_TOKEN/],
  [4005, 'resume'],
  [4007, 'reidentify'],
  [4008, 'resume'],
  [4009, 'reidentify'],
  [4010, 'fatal', /shard/],
  [4011, 'fatal', /shard/],
  [4012, 'fatal', /v=10/],
  [4013, 'fatal', /EDGESHARD_INTENTS/],
  [4014, 'fatal', PORTAL],
  [1000, 'reidentify'],
  [1001, 'reidentify'],
];

describe('close codes', () => {
  it('the table has exactly the rows checked below', () => {
    expect(Object.keys(CLOSE_CODES).map(Number).sort()).toEqual(expected.map(([c]) => c).sort());
  });

  it.each(expected)('%i → %s', (code, action, fix) => {
    const row = closeCodeRow(code);
    expect(row.action).toBe(action);
    expect(row.meaning.length).toBeGreaterThan(0);
    if (action === 'fatal') {
      expect(row.fix).toMatch(fix!);
      const outcome = handleClose(code, '', 3);
      expect(outcome.type).toBe('fatal');
      if (outcome.type === 'fatal') {
        expect(outcome.error.code).toBe('gateway_fatal');
        expect(outcome.error.message).toMatch(fix!);
        expect(outcome.error.message).toContain(String(code));
      }
    } else {
      expect(handleClose(code, '', 3)).toMatchObject({ type: 'reconnect', initiator: 'server', code, next: action });
    }
  });

  it.each([1006, 4900, 3000, 4999])('unknown code %i → resume', (code) => {
    expect(closeCodeRow(code)).toBe(UNKNOWN_CLOSE_CODE);
    expect(handleClose(code, '', 0)).toMatchObject({ type: 'reconnect', next: 'resume' });
  });
});
