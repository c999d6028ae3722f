// The contract every spool implementation passes (memory and file run the same cases).
import { describe, expect, it } from 'vitest';
import type { EventEnvelope } from '../../../protocol/index.ts';
import type { Spool, SpoolDrop, SpoolLimits } from '../../../shard-host/spool/types.ts';
import { envelope } from '../host/forwarder-fakes.ts';

export type SpoolFactory = (limits?: Partial<SpoolLimits>) => Spool;

export function event(shard: number, seq: number, receivedAt = 1_000 + seq, pad = ''): EventEnvelope {
  return envelope(shard, seq, receivedAt, { n: seq, pad });
}

const seqs = (entries: { event: EventEnvelope }[]) => entries.map((e) => e.event.seq);

export function spoolContract(name: string, make: SpoolFactory): void {
  describe(`spool contract: ${name}`, () => {
    it('hands out entries per shard in append order with increasing positions', async () => {
      const spool = make();
      const a = [1, 2, 3].map((seq) => spool.append(event(0, seq)));
      spool.append(event(1, 1));
      expect(a.map((e) => e.pos)).toEqual([a[0]!.pos, a[0]!.pos + 1, a[0]!.pos + 2]);
      expect(a[0]!.json).toBe(JSON.stringify(event(0, 1)));
      expect(seqs(spool.pending(0, 10, 1 << 20))).toEqual([1, 2, 3]);
      expect(seqs(spool.pending(1, 10, 1 << 20))).toEqual([1]);
      expect(spool.shards().sort()).toEqual([0, 1]);
      await spool.close();
    });

    it('limits a batch by count, by bytes (but always at least one), and by a last position', async () => {
      const spool = make();
      const entries = [1, 2, 3, 4].map((seq) => spool.append(event(0, seq)));
      expect(seqs(spool.pending(0, 2, 1 << 20))).toEqual([1, 2]);
      expect(seqs(spool.pending(0, 10, entries[0]!.json.length * 2))).toEqual([1, 2]);
      expect(seqs(spool.pending(0, 10, 1))).toEqual([1]);
      expect(seqs(spool.pending(0, 10, 1 << 20, entries[2]!.pos))).toEqual([1, 2, 3]);
      expect(spool.pending(7, 10, 1 << 20)).toEqual([]);
      await spool.close();
    });

    it('removes acknowledged positions, ignores unknown ones, and keeps order for the rest', async () => {
      const spool = make();
      const entries = [1, 2, 3, 4, 5].map((seq) => spool.append(event(0, seq)));
      spool.ack(0, [entries[1]!.pos, entries[3]!.pos, 9_999]);
      spool.ack(5, [1]);
      expect(seqs(spool.pending(0, 10, 1 << 20))).toEqual([1, 3, 5]);
      spool.ack(0, [entries[0]!.pos, entries[2]!.pos, entries[4]!.pos]);
      expect(spool.pending(0, 10, 1 << 20)).toEqual([]);
      expect(spool.shards()).toEqual([]);
      await spool.close();
    });

    it('reports depth, bytes and the oldest unacknowledged receipt time, per shard and in total', async () => {
      const spool = make();
      expect(spool.depth()).toEqual({ events: 0, bytes: 0, oldestAt: null });
      const a = spool.append(event(0, 1, 500));
      const b = spool.append(event(1, 1, 300));
      spool.append(event(1, 2, 400));
      expect(spool.depth()).toEqual({
        events: 3,
        bytes: a.json.length + b.json.length + JSON.stringify(event(1, 2, 400)).length,
        oldestAt: 300,
      });
      expect(spool.depth(0)).toEqual({ events: 1, bytes: a.json.length, oldestAt: 500 });
      spool.ack(1, [b.pos]);
      expect(spool.depth().oldestAt).toBe(400);
      await spool.close();
    });

    it('past its size cap keeps accepting and drops the oldest events, reporting each', async () => {
      const drops: SpoolDrop[] = [];
      const size = JSON.stringify(event(0, 1, 1)).length;
      const spool = make({ maxBytes: size * 3 + 5, onDrop: (d) => drops.push(d) });
      spool.append(event(0, 1, 10));
      spool.append(event(1, 1, 5));
      spool.append(event(0, 2, 20));
      spool.append(event(1, 2, 30));
      spool.append(event(0, 3, 40));
      expect(drops.map((d) => d.entry.event.id)).toEqual(['discord:1:s:1', 'discord:0:s:1']);
      expect(drops[0]!.reason).toMatch(/cap/);
      expect(spool.depth().events).toBe(3);
      expect(seqs(spool.pending(0, 10, 1 << 20))).toEqual([2, 3]);
      await spool.close();
    });

    it('stores and hands out a pre-serialised JSON as given, counting its length', async () => {
      const spool = make();
      const e = event(0, 1);
      const json = JSON.stringify(e).replace('"data":{"n":1,"pad":""}', '"data":{ "n" : 1 , "pad" : "" }');
      const entry = spool.append(e, json);
      expect(entry.json).toBe(json);
      expect(entry.event).toBe(e);
      expect(spool.pending(0, 10, 1 << 20)[0]!.json).toBe(json);
      expect(spool.depth()).toMatchObject({ events: 1, bytes: json.length });
      await spool.close();
    });

    it('sync resolves once appended events are durable', async () => {
      const spool = make();
      spool.append(event(0, 1));
      await expect(spool.sync()).resolves.toBeUndefined();
      await Promise.all([spool.sync(), spool.sync()]);
      await spool.close();
    });
  });
}
