// ctx.api (@discordjs/core's API on our REST client) through the real REST proxy Durable Object to the real
// emulator: typed calls, file uploads as multipart (Reference > Uploading Files), X-Audit-Log-Reason, and
// Discord's refusals as DiscordApiError with Discord's JSON error code.
import { env } from 'cloudflare:test';
import type { APIMessage } from 'discord-api-types/v10';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../protocol/index.ts';
import { discordApi } from '../../workers/rest/api.ts';
import { DiscordApiError } from '../../workers/rest/errors.ts';
import { restClient } from '../../workers/rest/stub.ts';

interface World {
  guilds: { id: string; channels: { id: string }[] }[];
}
const emu = async <T>(path: string): Promise<T> =>
  (await fetch(`http://wire.emulator.test${path}`)).json() as Promise<T>;

describe('ctx.api through the REST proxy', () => {
  it('uploads two files with a message: multipart through the DO, the same bytes at the emulator', async () => {
    const world = await emu<World>('/_emulator/world');
    const channel = world.guilds[0]!.channels[0]!.id;
    const api = discordApi(restClient(env));
    const csv = new TextEncoder().encode('a,b\n1,2\n');
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 255]);
    const message = await api.channels.createMessage(channel, {
      content: 'report',
      attachments: [{ id: 1, description: 'the picture' }],
      files: [
        { name: 'report.csv', data: csv, contentType: 'text/csv' },
        { name: 'pic.png', data: png, contentType: 'image/png' },
      ],
    });
    expect(message.content).toBe('report');
    expect(message.attachments.map((a) => [a.filename, a.size, a.content_type, a.description])).toEqual([
      ['report.csv', csv.byteLength, 'text/csv', undefined],
      ['pic.png', png.byteLength, 'image/png', 'the picture'],
    ]);
    const stored = new Uint8Array(
      await (
        await fetch(message.attachments[1]!.url.replace(/^http:\/\/[^/]+/, 'http://wire.emulator.test'))
      ).arrayBuffer(),
    );
    expect([...stored]).toEqual([...png]);
    const sent = await emu<APIMessage[]>('/_emulator/messages');
    expect(sent.find((m) => m.id === message.id)?.attachments.length).toBe(2);
  });

  it('sends X-Audit-Log-Reason URL-encoded and the emulator reads it back decoded', async () => {
    const world = await emu<World>('/_emulator/world');
    const channel = world.guilds[1]!.channels[0]!.id;
    const api = discordApi(restClient(env));
    const edited = await api.channels.edit(channel, { topic: 'release day' }, { reason: 'weekly rotation — ünïcode' });
    expect(edited.id).toBe(channel);
    const log = await emu<{ route: string; reason: string }[]>('/_emulator/audit-log');
    expect(log.at(-1)).toEqual({ route: 'PATCH /channels/:channel_id', reason: 'weekly rotation — ünïcode' });
  });

  it("throws DiscordApiError with Discord's code and message for Discord's refusals", async () => {
    const world = await emu<World>('/_emulator/world');
    const api = discordApi(restClient(env));
    const unknown = await api.channels.createMessage('1', { content: 'x' }).catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(DiscordApiError);
    expect(unknown).toMatchObject({ status: 404, discordCode: 10003, code: ERROR_CODES.UPSTREAM_HTTP });
    const empty = await api.channels
      .createMessage(world.guilds[0]!.channels[0]!.id, { content: '' })
      .catch((e: unknown) => e);
    expect(empty).toMatchObject({ status: 400, discordCode: 50006 });
    expect((empty as Error).message).toBe(
      `Discord answered 400 (50006) to POST /channels/${world.guilds[0]!.channels[0]!.id}/messages: Cannot send an empty message`,
    );
  });

  it('refuses an 11-file upload before it leaves the Worker, naming the limit', async () => {
    const api = discordApi(restClient(env));
    const files = Array.from({ length: 11 }, (_, i) => ({ name: `f${i}.txt`, data: 'x' }));
    const err = await api.channels.createMessage('1', { files }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: ERROR_CODES.BODY_TOO_LARGE });
    expect((err as Error).message).toBe(
      'POST /channels/1/messages: 11 files; Discord takes at most 10 per request, send them in several messages',
    );
  });
});

describe('the route groups the example bot uses, with files', () => {
  it('webhooks: creates a channel webhook and executes it with a file (?wait=true answers the message)', async () => {
    const world = await emu<World>('/_emulator/world');
    const api = discordApi(restClient(env));
    const hook = await api.channels.createWebhook(world.guilds[0]!.channels[0]!.id, { name: 'reports' });
    const message = await api.webhooks.execute(hook.id, hook.token!, {
      wait: true,
      content: 'nightly',
      files: [{ name: 'night.txt', data: 'all quiet' }],
    });
    expect(message.attachments.map((a) => [a.filename, a.size])).toEqual([['night.txt', 9]]);
  });

  it('interactions: a callback with a file goes as multipart (payload_json carries the response)', async () => {
    const api = discordApi(restClient(env));
    const before = await emu<{ rest: { byRoute: Record<string, number> } }>('/_emulator/state');
    await api.interactions.reply('1100000000000000001', 'tok-file', {
      content: 'see attached',
      files: [{ name: 'a.txt', data: 'a' }],
    });
    const after = await emu<{ rest: { byRoute: Record<string, number> } }>('/_emulator/state');
    const key = 'POST /interactions/:interaction_id/:interaction_token/callback';
    expect((after.rest.byRoute[key] ?? 0) - (before.rest.byRoute[key] ?? 0)).toBe(1);
  });
});
