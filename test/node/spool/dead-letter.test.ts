import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DeadLetterFile, type DeadLetterLine } from '../../../shard-host/spool/dead-letter.ts';
import { event } from './contract.ts';

describe('DeadLetterFile', () => {
  it('appends one JSON line per event with the reason, creating its directory', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'edgeshard-dl-')), 'nested', 'dead-letter.jsonl');
    const file = new DeadLetterFile(path);
    file.write(event(0, 1), 'Worker answered 400: bad', Date.UTC(2026, 0, 1));
    file.write(event(0, 2), 'dead-lettered by the Worker');
    file.close();
    const lines = readFileSync(path, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as DeadLetterLine);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toEqual({
      at: '2026-01-01T00:00:00.000Z',
      reason: 'Worker answered 400: bad',
      event: event(0, 1),
    });
    expect(lines[1]!.event.seq).toBe(2);
  });
});
