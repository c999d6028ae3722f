import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { registerDeadLetterGauge } from '../../../shard-host/metrics/delivery.ts';
import { DeadLetterFile } from '../../../shard-host/spool/dead-letter.ts';
import { DeadLetterList } from '../../../shard-host/spool/dead-letter-list.ts';

describe('edgeshard_dead_letters', () => {
  it('counts dead letters not yet replayed, read at scrape time', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'edgeshard-dlm-')), 'dead-letter.jsonl');
    const file = new DeadLetterFile(path);
    const list = new DeadLetterList(path);
    const registry = new Registry();
    registerDeadLetterGauge(registry, () => list.count());
    const gauge = async () => (await registry.getSingleMetricAsString('edgeshard_dead_letters')).split('\n').at(-1);
    expect(await gauge()).toBe('edgeshard_dead_letters 0');
    for (const seq of [1, 2]) {
      file.write(
        {
          id: `discord:0:s:${seq}`,
          platform: 'discord',
          shard: 0,
          session: 's',
          seq,
          type: 'MESSAGE_CREATE',
          data: {},
          receivedAt: 0,
        },
        'handler failed',
      );
    }
    expect(await gauge()).toBe('edgeshard_dead_letters 2');
    list.mark(list.outstanding()[0]!, 'replayed');
    expect(await gauge()).toBe('edgeshard_dead_letters 1');
    file.close();
    list.close();
  });
});
