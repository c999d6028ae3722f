// The spool across host crashes: SIGKILL mid-stream, then a new host on the same spool directory sends
// everything the dead one had spooled; and a corrupt last record on disk is reported and skipped while
// every record before it is delivered.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../scripts/lib/proc.ts';
import { scanSpoolDir, unackedRecords } from '../../shard-host/spool/scan.ts';
import {
  hostMetrics,
  metricValue,
  spooledMessageIds,
  startDeliverySystem,
  type DeliverySystem,
} from './delivery-system.ts';

const idOf = (json: string) => (JSON.parse(json) as { data: { id?: string } }).data.id;

describe('host crashes and a damaged spool', () => {
  let system: DeliverySystem;

  beforeAll(async () => {
    system = await startDeliverySystem([
      '--shards',
      '2',
      '--guilds',
      '6',
      '--rate',
      '30',
      '--identify-window-ms',
      '500',
    ]);
  });

  afterAll(async () => {
    await system?.stop();
  });

  const waitHandled = (ids: Iterable<string>, what: string) =>
    waitFor(
      what,
      () => {
        const handled = system.handledCounts();
        return [...ids].every((id) => handled.has(id)) ? true : undefined;
      },
      { timeoutMs: 45_000 },
    );

  it(
    'SIGKILL mid-stream: a restarted host on the same spool delivers every spooled event',
    { timeout: 120_000 },
    async () => {
      const spool = join(system.dir, 'spool-crash');
      system.gate.delayMs = 1_500; // slow handlers: batches are in flight and a backlog waits when the host dies
      const first = await system.startHost(spool);
      await waitFor('events to flow', () => (system.gate.entries.length >= 10 ? true : undefined), {
        timeoutMs: 30_000,
      });
      await first.stop('SIGKILL');
      const spooled = spooledMessageIds(spool);
      const handledBefore = new Set(system.handledCounts().keys());
      expect(spooled.length).toBeGreaterThan(0);
      system.gate.delayMs = 0;

      const second = await system.startHost(spool);
      await waitHandled(spooled, 'every event the killed host had spooled');
      expect(second.lines.some((l) => l.includes('"msg":"spool"') && !l.includes('"recovered":0'))).toBe(true);
      expect([...handledBefore].every((id) => system.handledCounts().has(id))).toBe(true);
      await second.stop('SIGTERM');
    },
  );

  it(
    'a corrupt last record: the host starts, reports it, and delivers every record before it',
    { timeout: 120_000 },
    async () => {
      const spool = join(system.dir, 'spool-corrupt');
      // A host whose Worker goes away: it keeps its sessions and everything stays in its spool.
      const offline = await system.startHost(spool);
      await system.stopWorker();
      await waitFor('a backlog on disk', () => (spooledMessageIds(spool).length >= 20 ? true : undefined), {
        timeoutMs: 30_000,
      });
      await offline.stop('SIGKILL');
      await system.restartWorker();

      const shard = scanSpoolDir(spool).find((s) => unackedRecords(s).unacked.length > 1)!;
      const records = unackedRecords(shard).unacked;
      const damaged = records.at(-1)!;
      const file = join(shard.dir, readdirSync(shard.dir).sort().at(-1)!);
      const bytes = readFileSync(file);
      bytes.writeUInt8(bytes.readUInt8(bytes.length - 2) ^ 0xff, bytes.length - 2); // inside the last record
      writeFileSync(file, bytes);
      const kept = spooledMessageIds(spool).filter((id) => id !== idOf(damaged.json));
      expect(kept.length).toBeGreaterThan(0);

      const host = await system.startHost(spool);
      expect(host.lines.some((l) => l.includes('corrupt or torn record') && l.includes('checksum mismatch'))).toBe(
        true,
      );
      expect(metricValue(await hostMetrics(host), 'edgeshard_spool_corrupt_records_total')).toBe(1);
      await waitHandled(kept, 'every record before the corrupt one');
      await host.stop('SIGTERM');
    },
  );
});
