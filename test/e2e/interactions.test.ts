// Webhook platforms end to end: the emulator signs Discord interactions and QQ callbacks and POSTs them to
// the real Worker under wrangler dev; the Worker's answers and its REST / OpenAPI calls come back to the
// emulator, which records them. No shard host is needed: webhooks reach the Worker directly.
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../scripts/lib/proc.ts';
import { ROOT } from '../../scripts/lib/stack.ts';
import { startSystem, type System } from './system.ts';
import { commands as botCommands } from '../../workers/handlers/commands.ts';

interface InteractionRecord {
  status: number;
  response: { type: number; data?: { content?: string } };
  original?: { content: string };
  followUps: { content: string }[];
}

const json = (body: unknown): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

describe('Discord interactions and QQ callbacks through the emulator', () => {
  let system: System;

  beforeAll(async () => {
    system = await startSystem(['--shards', '1', '--guilds', '2']);
  });

  afterAll(async () => {
    await system?.stop();
  });

  it('answers a signed PING with PONG', async () => {
    const record = await system.emu<InteractionRecord>('/_emulator/interactions', json({ type: 'ping' }));
    expect(record.status).toBe(200);
    expect(record.response).toEqual({ type: 1 });
  });

  it('answers /ping with pong, which appears in the channel', async () => {
    const record = await system.emu<InteractionRecord>('/_emulator/interactions', json({ name: 'ping' }));
    expect(record.response).toEqual({ type: 4, data: { content: 'pong' } });
    expect(record.original?.content).toBe('pong');
    const messages = await system.emu<{ content: string; author: { bot?: boolean } }[]>('/_emulator/messages');
    expect(messages.some((m) => m.content === 'pong' && m.author.bot)).toBe(true);
  });

  it('defers, then edits the original reply and sends a follow-up through the interaction webhook', async () => {
    const record = await system.emu<InteractionRecord & { id: string }>(
      '/_emulator/interactions',
      json({ name: 'e2e-defer' }),
    );
    expect(record.response).toEqual({ type: 5 });
    const done = await waitFor(
      'the deferred reply to be edited and followed up',
      async () => {
        const all = await system.emu<(InteractionRecord & { id: string })[]>('/_emulator/interactions');
        const found = all.find((r) => r.id === record.id);
        return found?.original && found.followUps.length === 1 ? found : undefined;
      },
      { timeoutMs: 30_000, proc: system.worker },
    );
    expect(done.original?.content).toBe('deferred done');
    expect(done.followUps.map((m) => m.content)).toEqual(['follow-up']);
  });

  it('refuses an interaction with a tampered body before any handler runs', async () => {
    const body = JSON.stringify({ type: 1, id: '1', token: 't', application_id: '2', version: 1 });
    const res = await fetch(`${system.worker.url}/interactions`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-signature-ed25519': 'ab'.repeat(64),
        'x-signature-timestamp': String(Math.floor(Date.now() / 1000)),
      },
      body,
    });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('bad_signature');
  });

  it('publishes the bot commands with npm run register, globally and per guild', async () => {
    const world = await system.emu<{ guilds: { id: string }[] }>('/_emulator/world');
    const env = { ...process.env, DISCORD_TOKEN: system.emulator.token, DISCORD_API_URL: system.emulator.apiUrl };
    for (const args of [[], ['--guild', world.guilds[0]!.id]]) {
      const run = spawnSync(process.execPath, [`${ROOT}scripts/register.ts`, ...args], {
        env,
        encoding: 'utf8',
        timeout: 30_000,
      });
      expect(run.status, run.stderr).toBe(0);
      expect(run.stdout).toContain('+ /ping\n');
      expect(run.stdout).toMatch(/applied \d+ change\(s\)/);
    }
    const commands = await system.emu<{ global: { name: string }[]; guilds: Record<string, { name: string }[]> }>(
      '/_emulator/commands',
    );
    const names = botCommands.map((c) => c.name);
    expect(commands.global.map((c) => c.name)).toEqual(names);
    expect(commands.guilds[world.guilds[0]!.id]?.map((c) => c.name)).toEqual(names);
  });

  it('passes QQ callback validation (op 13) as the QQ console would check it', async () => {
    const result = await system.emu<{ ok: boolean; reason?: string }>('/_emulator/qq/validate', json({}));
    expect(result).toMatchObject({ ok: true });
  });

  it('answers a signed QQ group @-message through the QQ OpenAPI, as a reply to that message', async () => {
    const said = await system.emu<{
      event: { acked: boolean; status: number };
      message: { id: string; group_openid: string };
    }>('/_emulator/qq/say', json({ content: 'ping' }));
    expect(said.event).toMatchObject({ status: 200, acked: true });
    const sent =
      await system.emu<{ scene: string; target: string; content: string; msg_id?: string; msg_seq?: number }[]>(
        '/_emulator/qq/messages',
      );
    // One reply, passive (msg_id of the message it answers), its msg_seq derived from the event id so a
    // redelivered event could not send a second one (workers/qq/client.ts).
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({
      scene: 'group',
      target: said.message.group_openid,
      content: 'pong',
      msg_id: said.message.id,
      msg_seq: expect.any(Number),
    });
    const state = await system.emu<{ counters: { tokensIssued: number; apiRefusals: number } }>('/_emulator/qq/state');
    expect(state.counters).toMatchObject({ tokensIssued: 1, apiRefusals: 0 });
  });
});
