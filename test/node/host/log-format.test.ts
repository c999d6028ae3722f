import { describe, expect, it } from 'vitest';
import { formatPretty, formatRecord, logFormatFrom } from '../../../shard-host/log-format.ts';
import { createLogger } from '../../../shard-host/log.ts';

describe('log format', () => {
  it.each([
    ['json', false, 'json'],
    ['json', true, 'json'],
    ['pretty', false, 'pretty'],
    [undefined, true, 'pretty'],
    [undefined, false, 'json'],
    ['yaml', true, 'pretty'],
  ] as const)('EDGESHARD_LOG_FORMAT=%s with a terminal %s → %s', (value, tty, expected) => {
    expect(logFormatFrom(value, tty)).toBe(expected);
  });

  it('prints one short line: time, level, scope, message, fields', () => {
    const line = formatPretty({
      t: '2026-12-06T09:12:03.456Z',
      level: 'info',
      msg: 'connecting → ready (resumed)',
      component: 'gateway',
      shard: 3,
      from: 'connecting',
      to: 'ready',
      reason: 'resumed',
      host: 'vps-1',
      cause: 'op 7 reconnect',
    });
    // from, to and reason are in the message already.
    expect(line).toBe(
      '09:12:03 info  [gateway shard 3] connecting → ready (resumed) host=vps-1 cause="op 7 reconnect"',
    );
  });

  it('shouts warnings and errors, never cuts a string, cuts a long structure', () => {
    const line = formatPretty({
      t: '2026-12-06T09:12:03.456Z',
      level: 'error',
      msg: 'EDGESHARD_SECRET is not set',
      fix: 'x'.repeat(120),
      shards: Array.from({ length: 60 }, (_, i) => i),
    });
    expect(line).toBe(
      `09:12:03 ERROR EDGESHARD_SECRET is not set fix=${'x'.repeat(120)} shards=${JSON.stringify(Array.from({ length: 60 }, (_, i) => i)).slice(0, 79)}…`,
    );
  });

  it('keeps JSON lines unchanged for pipes and collectors', () => {
    const record = { t: '2026-12-06T09:12:03.456Z', level: 'warn', msg: 'm', shard: 1 };
    expect(formatRecord(record, 'json')).toBe(JSON.stringify(record));
    const lines: string[] = [];
    createLogger({ component: 'spool' }, 'info', (l) => lines.push(l), 'pretty')
      .child({ shard: 2 })
      .warn('over the mark', { events: 5 });
    expect(lines.length).toBe(1);
    expect(lines[0]!.slice(8)).toBe(' WARN  [spool shard 2] over the mark events=5');
  });
});
