// "Logic updates drop nothing" (DESIGN guarantee 5): a handler module is rewritten while messages flow;
// wrangler dev rebuilds and reloads the Worker (what `wrangler deploy` does in production). The shard host
// keeps its connections (no reconnect, no new identify) and every MESSAGE_CREATE the emulator dispatched
// still reaches a handler: events that met the reload are retried from the host's spool.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../scripts/lib/proc.ts';
import { prepareReloadableWorker, versionedHandler, type ReloadableWorker } from './reload-worker.ts';
import { startSystem, type System } from './system.ts';

interface Counters {
  reconnects: number;
  connectionsOpened: number;
  identifies: number;
  resumes: number;
}
type Entry = { messageId: string; version?: number };

describe('reloading handler code mid-stream', () => {
  let system: System;
  let reloadable: ReloadableWorker;

  beforeAll(async () => {
    reloadable = prepareReloadableWorker(versionedHandler(1));
    system = await startSystem(['--shards', '2', '--guilds', '4', '--rate', '10', '--identify-window-ms', '1000'], {
      workerConfig: reloadable.config,
    });
    const host = system.startHost();
    await waitFor(
      'both shards to be READY',
      () => (host.lines.some((l) => l.includes('all shards ready')) ? true : undefined),
      { proc: host, timeoutMs: 30_000 },
    );
  });

  afterAll(async () => {
    await system?.stop();
    reloadable?.remove();
  });

  it('keeps every connection and loses no event while the Worker reloads', async () => {
    const entries = () => system.ledger.entries as Entry[];
    await waitFor('version 1 to handle traffic', () => (entries().some((e) => e.version === 1) ? true : undefined), {
      timeoutMs: 30_000,
      proc: system.worker,
    });
    const before = await system.emu<Counters>('/_emulator/state');

    reloadable.rewrite(versionedHandler(2));
    await waitFor(
      'the reloaded version 2 to handle traffic',
      () => (entries().some((e) => e.version === 2) ? true : undefined),
      { timeoutMs: 60_000, proc: system.worker },
    );
    // Let traffic flow on the new code for a moment, then stop it and account for every message.
    await new Promise((r) => setTimeout(r, 2000));
    await system.emu('/_emulator/traffic', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ rate: 0 }),
    });

    const dispatched = await waitFor(
      'every dispatched MESSAGE_CREATE to reach the handlers',
      async () => {
        const ids = (await system.emu<{ id?: string }[]>('/_emulator/dispatched?type=MESSAGE_CREATE')).map(
          (d) => d.id!,
        );
        const handled = new Set(
          entries()
            .filter((e) => e.version === undefined)
            .map((e) => e.messageId),
        );
        return ids.length > 0 && ids.every((id) => handled.has(id)) ? ids : undefined;
      },
      { timeoutMs: 60_000 },
    );
    const after = await system.emu<Counters>('/_emulator/state');

    expect(after.reconnects).toBe(0);
    expect(after.reconnects - before.reconnects).toBe(0);
    expect(after.connectionsOpened).toBe(before.connectionsOpened);
    expect(after.identifies).toBe(before.identifies);
    expect(after.resumes).toBe(before.resumes);
    // Both versions ran, the new one last, and each dispatched message was handled by one of them too.
    const versions = entries().filter((e) => e.version !== undefined);
    expect(new Set(versions.map((e) => e.version))).toEqual(new Set([1, 2]));
    expect(versions.at(-1)!.version).toBe(2);
    const byReloadable = new Set(versions.map((e) => e.messageId));
    expect(dispatched.filter((id) => !byReloadable.has(id))).toEqual([]);
    expect(dispatched.length).toBeGreaterThan(10);
  });
});
