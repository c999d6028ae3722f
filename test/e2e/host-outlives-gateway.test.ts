// A host whose every shard waits in reconnect backoff must stay up (its timers are unref()ed, so nothing
// else would hold the process), and must still stop cleanly on SIGTERM.
import { afterAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../scripts/lib/proc.ts';
import { startSystem, type System } from './system.ts';

describe('a shard host whose gateway goes away', () => {
  let system: System | undefined;

  afterAll(async () => {
    await system?.stop();
  });

  it('keeps reconnecting instead of exiting, and stops with 0 on SIGTERM', async () => {
    system = await startSystem(['--shards', '2', '--identify-window-ms', '200']);
    const h = system.startHost();
    await waitFor('both shards READY', () => (h.lines.some((l) => l.includes('all shards ready')) ? true : undefined), {
      proc: h,
      timeoutMs: 30_000,
    });

    await system.emulator.stop('SIGKILL');
    await waitFor(
      'reconnect attempts to fail',
      () => (h.lines.filter((l) => l.includes('ECONNREFUSED')).length >= 4 ? true : undefined),
      { proc: h, timeoutMs: 30_000 },
    );
    await new Promise((r) => setTimeout(r, 3000));
    expect(h.child.exitCode).toBeNull();

    expect(await h.stop('SIGTERM')).toBe(0);
  });
});
