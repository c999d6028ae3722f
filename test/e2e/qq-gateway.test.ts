// A QQ bot on two shard hosts, over the emulator's QQ websocket gateway, exactly as for Discord: each host
// runs Discord and QQ (both credentials), leases its QQ shard from the QQ coordinator (?platform=qq) and
// spools QQ events in <spool dir>/qq. A group @-message is answered once through the emulator's OpenAPI
// (workers/handlers/qq-group-at.ts); the e2e Worker's ledger handler counts handler runs (QQ refuses a
// repeated passive reply, so replies alone would hide a second run). Through a connection kill (resume, no
// identify), an access-token expiry mid-session (no disconnect; the next resume refreshes the token), a
// host SIGKILL (failover by resume within lease TTL + 2 s), and one event delivered by webhook and
// websocket at once (`via: 'both'`): the handler runs exactly once each time.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../scripts/lib/proc.ts';
import { emulatorWebhookVars, emulatorQQHostVars } from '../../scripts/lib/stack.ts';
import { LEASE_TTL_MS, startCluster, type Cluster, type HostProc } from './coordinator-system.ts';

interface QQGatewayCounters {
  connectionsOpened: number;
  identifies: number;
  resumes: number;
  resumesRefused: number;
  identifyViolations: number;
  sessions: number;
}

interface QQSent {
  content: string;
  msg_id?: string;
}

interface Said {
  event: { id: string; via?: string; status: number; acked: boolean };
  message: { id: string };
}

const json = (body: unknown): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

describe('a QQ bot on two hosts: each group @-message answered once, whatever fails', () => {
  let cluster: Cluster;
  let hosts: HostProc[];

  const gateway = () => cluster.emu<QQGatewayCounters>('/_emulator/qq/gateway');
  const say = (content: string, via: 'websocket' | 'both') =>
    cluster.emu<Said>('/_emulator/qq/say', json({ content, via }));
  const runs = (messageId: string) => cluster.ledger.entries.filter((e) => e.messageId === `qq:${messageId}`);

  /** Waits for the reply, then a little longer, and checks one reply and one handler run. */
  async function answeredOnce(said: Said): Promise<void> {
    const replies = async () =>
      (await cluster.emu<QQSent[]>('/_emulator/qq/messages')).filter((m) => m.msg_id === said.message.id);
    await waitFor('the QQ reply', async () => ((await replies()).length > 0 ? true : undefined), {
      timeoutMs: 20_000,
      intervalMs: 100,
    });
    await new Promise((r) => setTimeout(r, 1_500)); // time for a second run to show, if there were one
    expect((await replies()).map((m) => m.content)).toEqual(['pong']);
    expect(runs(said.message.id).length).toBe(1);
  }

  /** The QQ shard's owner: the host whose /healthz says its QQ shard 0 is ready. */
  async function qqOwner(): Promise<HostProc> {
    return waitFor(
      'a host with QQ shard 0 ready',
      async () => {
        for (const host of hosts.filter((h) => h.child.exitCode === null && h.child.signalCode === null)) {
          const health = await healthOf(host).catch(() => undefined);
          if (health?.platforms.qq?.shards['0'] === 'ready') return host;
        }
        return undefined;
      },
      { timeoutMs: 30_000, intervalMs: 100 },
    );
  }

  async function healthOf(host: HostProc) {
    const line = host.lines.find((l) => l.includes('"msg":"metrics"'));
    const url = line && (JSON.parse(line.slice(line.indexOf('{'))) as { url: string }).url;
    if (!url) throw new Error(`${host.id} has not logged its metrics URL yet`);
    const res = await fetch(url.replace('/metrics', '/healthz'));
    return (await res.json()) as {
      ok: boolean;
      platforms: Record<string, { shards: Record<string, string>; lease: { confirmed: boolean } }>;
    };
  }

  beforeAll(async () => {
    cluster = await startCluster(
      ['--shards', '1', '--identify-window-ms', '500', '--session-timeout-ms', '60000'],
      emulatorWebhookVars,
    );
    // The Worker is the webhook target of `via: 'both'`.
    await cluster.emu('/_emulator/webhook-target', json({ url: cluster.worker.url }));
    const qq = emulatorQQHostVars(cluster.emulator);
    hosts = [cluster.startHost('qq-host-a', qq), cluster.startHost('qq-host-b', qq)];
    await cluster.allReady(1, 60_000); // Discord's shard
    await qqOwner();
    await waitFor('one QQ session', async () => ((await gateway()).sessions === 1 ? true : undefined), {
      timeoutMs: 20_000,
    });
  }, 120_000);

  afterAll(async () => {
    await cluster?.stop();
  });

  it('answers a group @-message received over the websocket once, through the OpenAPI', async () => {
    // One session start for the bot's one QQ shard, whichever host leased it first.
    const counters = await gateway();
    expect([counters.identifies, counters.identifyViolations, counters.sessions]).toEqual([1, 0, 1]);
    const said = await say('ping', 'websocket');
    expect(said.event.via).toBe('websocket');
    await answeredOnce(said);
    expect(runs(said.message.id).map((r) => (r as unknown as { via: string }).via)).toEqual(['websocket']);
    // Both hosts run both platforms, each platform leased from its own coordinator.
    for (const host of hosts) {
      const health = await healthOf(host);
      expect(Object.keys(health.platforms).sort()).toEqual(['discord', 'qq']);
      expect(health.platforms.qq!.lease.confirmed).toBe(true);
    }
  });

  it('a killed connection resumes (no identify), and the next message is answered once', async () => {
    const before = await gateway();
    await cluster.emu('/_emulator/qq/shards/0/drop', json({}));
    await waitFor(
      'the QQ shard to resume',
      async () => {
        const c = await gateway();
        return c.resumes === before.resumes + 1 && c.sessions === 1 ? c : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 100 },
    );
    await answeredOnce(await say('ping', 'websocket'));
    const after = await gateway();
    expect(after.identifies - before.identifies).toBe(0);
    expect(after.resumes - before.resumes).toBe(1);
  });

  it('an access-token expiry mid-session: the session stays up; the next resume gets a new token', async () => {
    const before = await gateway();
    const tokensBefore = (await cluster.emu<{ counters: { tokensIssued: number } }>('/_emulator/qq/state')).counters
      .tokensIssued;
    const expired = await cluster.emu<{ expired: number }>('/_emulator/qq/tokens/expire', json({}));
    expect(expired.expired > 0).toBe(true);
    // No disconnect: an open session outlives its token (QQ checks it at Identify and Resume only); the
    // Worker's reply call is refused (401) and sent again with a fresh token.
    await answeredOnce(await say('ping', 'websocket'));
    const mid = await gateway();
    expect(mid.connectionsOpened - before.connectionsOpened).toBe(0);
    // The next connection: the expired token is refused (4004), the host fetches a new one and resumes.
    await cluster.emu('/_emulator/qq/shards/0/drop', json({}));
    await waitFor(
      'the QQ shard to resume with a new token',
      async () => {
        const c = await gateway();
        return c.resumes === before.resumes + 1 && c.sessions === 1 ? c : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 100 },
    );
    await answeredOnce(await say('ping', 'websocket'));
    const after = await gateway();
    expect(after.identifies - before.identifies).toBe(0);
    expect(after.resumes - before.resumes).toBe(1);
    const tokensAfter = (await cluster.emu<{ counters: { tokensIssued: number } }>('/_emulator/qq/state')).counters
      .tokensIssued;
    // One new token after the expiry: the endpoint hands the same one to the Worker (its refused call) and
    // to the host (its refused resume) until the token's last 60 s.
    expect(tokensAfter - tokensBefore).toBe(1);
  });

  it('the QQ shard owner SIGKILLed: the other host resumes the session within lease TTL + 2 s', async () => {
    const owner = await qqOwner();
    const before = await gateway();
    const killedAt = Date.now();
    owner.child.kill('SIGKILL');
    await waitFor(
      'the QQ session resumed on the other host',
      async () => {
        const c = await gateway();
        return c.resumes === before.resumes + 1 && c.sessions === 1 ? c : undefined;
      },
      { timeoutMs: LEASE_TTL_MS + 10_000, intervalMs: 50 },
    );
    const tookMs = Date.now() - killedAt;
    expect(tookMs < LEASE_TTL_MS + 2_000, `failover took ${tookMs} ms`).toBe(true);
    const survivor = await qqOwner();
    expect(survivor.id === owner.id).toBe(false);
    await answeredOnce(await say('ping', 'websocket'));
    const after = await gateway();
    expect(after.identifies - before.identifies).toBe(0);
    expect(after.identifyViolations).toBe(0);
  });

  it('one event delivered by webhook and websocket at once runs its handler exactly once', async () => {
    const owner = await qqOwner();
    const ackedBefore = await qqAcked(owner);
    const said = await say('ping', 'both');
    expect(said.event.via).toBe('both');
    await answeredOnce(said);
    // The websocket copy reached the Worker too and was acknowledged (run or skipped by the ledger).
    await waitFor('the websocket copy acknowledged', async () =>
      (await qqAcked(owner)) === ackedBefore + 1 ? true : undefined,
    );
    await new Promise((r) => setTimeout(r, 1_000));
    expect(await qqAcked(owner)).toBe(ackedBefore + 1);
    expect(runs(said.message.id).length).toBe(1);
  });

  /** QQ events the Worker acknowledged to this host (edgeshard_qq_events_acked_total, shard 0). */
  async function qqAcked(host: HostProc): Promise<number> {
    const line = host.lines.find((l) => l.includes('"msg":"metrics"'))!;
    const url = (JSON.parse(line.slice(line.indexOf('{'))) as { url: string }).url;
    const text = await (await fetch(url)).text();
    return Number(/^edgeshard_qq_events_acked_total\{[^}]*shard="0"[^}]*\} (\d+)/m.exec(text)?.[1] ?? 0);
  }
});
