// A host whose every shard waits in reconnect backoff must stay up (its timers are unref()ed, so nothing
// else would hold the process), and must still stop cleanly on SIGTERM.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { waitFor, type Managed } from '../../scripts/lib/proc.ts';
import { localSecret, startEmulatorProcess, startHostProcess, type EmulatorProcess } from '../../scripts/lib/stack.ts';

describe('a shard host whose gateway goes away', () => {
  let emulator: EmulatorProcess | undefined;
  let host: Managed | undefined;

  afterAll(async () => {
    await host?.stop('SIGKILL');
    await emulator?.stop('SIGKILL');
  });

  it('keeps reconnecting instead of exiting, and stops with 0 on SIGTERM', async () => {
    emulator = await startEmulatorProcess(['--port', '0', '--shards', '2', '--identify-window-ms', '200']);
    host = startHostProcess({
      DISCORD_TOKEN: emulator.token,
      DISCORD_API_URL: emulator.apiUrl,
      // No Worker: events wait in the spool, which is all this test needs.
      EDGESHARD_WORKER_URL: 'http://127.0.0.1:9',
      EDGESHARD_SECRET: localSecret(),
      EDGESHARD_SPOOL_DIR: join(mkdtempSync(join(tmpdir(), 'edgeshard-outlive-')), 'spool'),
      EDGESHARD_METRICS_PORT: '0',
    });
    const h = host;
    await waitFor('both shards READY', () => (h.lines.some((l) => l.includes('all shards ready')) ? true : undefined), {
      proc: h,
      timeoutMs: 30_000,
    });

    await emulator.stop('SIGKILL');
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
