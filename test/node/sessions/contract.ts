// One contract for every SessionStore: the memory store and the file store run the same suite (and the
// coordinator DO's store will too).
import { describe, expect, it } from 'vitest';
import type { SessionStore, StoredSession } from '../../../shard-host/sessions/index.ts';

const session = (id: string, seq: number): StoredSession => ({
  sessionId: id,
  resumeUrl: 'wss://resume.test/gateway',
  seq,
  shardCount: 4,
  updatedAt: 1_000 + seq,
});

/** `open` returns a store over the same backing data each time it is called (a "restart"). */
export function sessionStoreContract(name: string, open: () => SessionStore): void {
  describe(`SessionStore contract: ${name}`, () => {
    it('starts empty', async () => {
      expect((await open().load()).size).toBe(0);
    });

    it('keeps the last save per shard across a restart, after flush', async () => {
      const a = open();
      await a.load();
      a.save(0, session('s0', 1));
      a.save(0, session('s0', 7));
      a.save(3, session('s3', 2));
      await a.close();
      const loaded = await open().load();
      expect(loaded).toEqual(
        new Map([
          [0, session('s0', 7)],
          [3, session('s3', 2)],
        ]),
      );
    });

    it('save(null) forgets a shard', async () => {
      const a = open();
      await a.load();
      a.save(1, session('s1', 5));
      a.save(2, session('s2', 5));
      a.save(1, null);
      await a.flush();
      expect([...(await open().load()).keys()]).toEqual([2]);
    });

    it('load returns copies: changing them changes nothing stored', async () => {
      const a = open();
      await a.load();
      a.save(0, session('s0', 3));
      await a.flush();
      const first = await a.load();
      first.get(0)!.seq = 999;
      expect((await a.load()).get(0)!.seq).toBe(3);
    });
  });
}
