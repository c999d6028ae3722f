// The status page against a running cluster: authentication, the JSON, and what a person sees, through a
// headless Chromium screenshot (Debian's `chromium` package). Without Chromium the screenshot test is
// skipped with a message; install it with `apt-get install -y chromium`.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../scripts/lib/proc.ts';
import { startCluster, STATUS_TOKEN, type Cluster } from './coordinator-system.ts';
import { decodePng } from './status-png.ts';

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
if (!CHROMIUM) console.warn('status page screenshot test skipped: no chromium (apt-get install -y chromium)');

describe('status page', () => {
  let cluster: Cluster;

  beforeAll(async () => {
    cluster = await startCluster([
      '--shards',
      '4',
      '--max-concurrency',
      '4',
      '--guilds',
      '24',
      '--rate',
      '5',
      '--identify-window-ms',
      '500',
    ]);
    cluster.startHost('host-a', { EDGESHARD_CAPACITY: '3' });
    cluster.startHost('host-b', { EDGESHARD_CAPACITY: '3' });
    await cluster.allReady(4, 60_000);
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  it('refuses requests without the token, with a message naming the fix', async () => {
    const none = await fetch(`${cluster.worker.url}/status.json`);
    expect(none.status).toBe(401);
    expect(((await none.json()) as { error: { message: string } }).error.message).toContain('EDGESHARD_STATUS_TOKEN');
    const wrong = await fetch(`${cluster.worker.url}/status`, { headers: { authorization: 'Bearer nope' } });
    expect(wrong.status).toBe(401);
    // The lease connection: an upgrade without a valid HMAC never reaches the coordinator.
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${cluster.worker.url}/coordinator/connect`, {
        headers: {
          connection: 'Upgrade',
          upgrade: 'websocket',
          'sec-websocket-version': '13',
          'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
          'x-edgeshard-host': 'intruder',
        },
      });
      req.on('response', (res) => (res.resume(), resolve(res.statusCode ?? 0)));
      req.on('upgrade', () => resolve(101));
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(401);
  });

  it('serves the lease table as JSON: shards with owner, latency, guilds, hosts with load, identify budget', async () => {
    // Guild counts travel with renewals: wait for the one after READY.
    const s = await waitFor(
      'every guild counted',
      async () => {
        const st = await cluster.status();
        return st.shards.reduce((n, sh) => n + sh.guilds, 0) === 24 ? st : undefined;
      },
      { timeoutMs: 10_000 },
    ).catch(() => cluster.status());
    expect(s.shards).toHaveLength(4);
    for (const shard of s.shards) {
      expect(shard.state).toBe('ready');
      expect(['host-a', 'host-b']).toContain(shard.owner);
      expect(shard.epoch).toBeGreaterThan(0);
    }
    expect(s.shards.reduce((n, sh) => n + sh.guilds, 0)).toBe(24);
    expect(s.hosts.map((h) => [h.id, h.capacity, h.live])).toEqual([
      ['host-a', 3, true],
      ['host-b', 3, true],
    ]);
    expect(s.hosts.reduce((n, h) => n + h.shards, 0)).toBe(4);
    expect(s.identify.sessionStartRemaining).toBe(s.identify.sessionStartTotal! - 4);
  });

  it.skipIf(!CHROMIUM)('renders a grid of ready shards in headless Chromium', async () => {
    // Two !ping → pong round trips, so the REST proxy panel has calls to show.
    const world = await cluster.emu<{ guilds: { channels: { id: string }[] }[] }>('/_emulator/world');
    const channels = world.guilds.slice(0, 2).map((g) => g.channels[0]!.id);
    for (const channel_id of channels)
      await cluster.emu('/_emulator/say', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ channel_id, content: '!ping' }),
      });
    await waitFor(
      'both pongs',
      async () => {
        const sent = await cluster.emu<{ content: string }[]>('/_emulator/messages');
        return sent.filter((m) => m.content === 'pong').length === 2 ? true : undefined;
      },
      { timeoutMs: 30_000 },
    );
    const dir = mkdtempSync(join(tmpdir(), 'edgeshard-status-'));
    const png = join(dir, 'status.png');
    const args = [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--hide-scrollbars',
      '--window-size=1200,1400',
      `--user-data-dir=${join(dir, 'profile')}`,
    ];
    execFileSync(CHROMIUM!, [...args, `--screenshot=${png}`, `${cluster.worker.url}/status?token=${STATUS_TOKEN}`], {
      stdio: 'ignore',
      timeout: 60_000,
    });
    const dom = execFileSync(CHROMIUM!, [...args, '--dump-dom', `${cluster.worker.url}/status?token=${STATUS_TOKEN}`], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(dom).toContain('4 / 4 shards ready');
    expect(dom.match(/class="cell ok"/g)).toHaveLength(4);
    // The operator's console: both hosts with their load columns, handler figures, the REST proxy panel.
    expect(dom.match(/<tr class="" data-host="host-[ab]">/g)).toHaveLength(2);
    expect(dom).toContain('<th>spool</th><th>oldest unacked</th><th>dead letters</th>');
    expect(dom).toMatch(
      /<tr data-key="discord:MESSAGE_CREATE" class=""><td>discord:MESSAGE_CREATE<\/td><td class="n">[1-9]/,
    );
    expect(dom).toMatch(/<b data-k="429">user \d+ · global \d+ · shared \d+<\/b>/);
    expect(dom).toMatch(/<b data-k="invalid">0 \/ 2,500<\/b>/);
    expect(dom).toContain('<b data-k="requests">2</b>');
    expect(dom).toContain('<b data-k="429">user 0 · global 0 · shared 0</b>');
    const image = decodePng(readFileSync(png));
    expect(image.width).toBe(1200);
    // The "ready" green (#3fb950) fills four cells: count its pixels.
    let green = 0;
    for (let y = 0; y < image.height; y += 2) {
      for (let x = 0; x < image.width; x += 2) {
        const [r, g, b] = image.pixel(x, y);
        if (Math.abs(r - 0x3f) < 12 && Math.abs(g - 0xb9) < 12 && Math.abs(b - 0x50) < 12) green++;
      }
    }
    expect(green).toBeGreaterThan(2_000);
    console.log(JSON.stringify({ screenshot: png, greenSamples: green }));
  });
});
