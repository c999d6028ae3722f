// The typed QQ client (ctx.qq) through the QQ REST proxy core to the real emulator (qq.emulator.test, see
// scripts/lib/emulator-outbound.ts): the access token held by the proxy, passive replies that cannot be
// sent twice by a redelivered event, rich media, recall, guild calls under QQ's frequency limits, QQ's
// error codes as QQApiError with the fix, a token expired mid-run, and builders refusing bad messages.
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, RateLimitedError } from '../../protocol/index.ts';
import type { QQGroupAtMessage } from '../../protocol/qq.ts';
import { qqButton, qqKeyboard, qqMessage, QQMessageInvalidError } from '../../workers/qq/builders.ts';
import { QQOpenApi } from '../../workers/qq/client.ts';
import { QQApiError } from '../../workers/qq/errors.ts';
import { directEgress } from '../../workers/rest/egress.ts';
import { QQProxyCore } from '../../workers/rest/qq-proxy.ts';

const EMU = 'http://qq.emulator.test';
const APP = { appId: '102000001', appSecret: 'qq-test-secret-0123456789abcdefgh' };

interface Sent {
  id: string;
  target: string;
  content: string;
  msg_id?: string;
  msg_seq?: number;
  msg_type?: number;
  recalled?: boolean;
}

const emu = async <T>(path: string, body?: unknown): Promise<T> =>
  (
    await fetch(`${EMU}/_emulator/qq${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
  ).json() as Promise<T>;

function proxy() {
  return new QQProxyCore({
    apiUrl: `${EMU}/qq/api`,
    tokenUrl: `${EMU}/qq/app/getAppAccessToken`,
    ...APP,
    egress: directEgress(undefined),
  });
}

const client = (core: QQProxyCore, eventId?: string) =>
  new QQOpenApi({ rest: core, ...(eventId === undefined ? {} : { eventId }) });

async function groupMessage(content: string): Promise<{ message: QQGroupAtMessage; eventId: string }> {
  const r = await emu<{ event: { id: string }; message: QQGroupAtMessage }>('/say', { content, via: 'none' });
  return { message: r.message, eventId: `qq:${r.event.id}` };
}

const sentTo = async (msgId: string) => (await emu<Sent[]>('/messages')).filter((m) => m.msg_id === msgId);

describe('QQ client through the proxy to the emulator', () => {
  it('replies twice to one event, and a redelivery of the event replies no more', async () => {
    const core = proxy();
    const { message, eventId } = await groupMessage('hi');
    const first = client(core, eventId);
    const a = await first.replyGroup(message, 'one');
    const b = await first.replyGroup(message, qqMessage.markdown('**two**'));
    expect(typeof a.id === 'string' && typeof b.id === 'string' && a.duplicate === undefined).toBe(true);
    const seqs = (await sentTo(message.id)).map((m) => m.msg_seq!);
    expect(seqs[1]! - seqs[0]!).toBe(1);
    // The same event delivered again (a retry, or webhook and websocket both): same msg_seq values.
    const again = client(core, eventId);
    expect(await again.replyGroup(message, 'one')).toEqual({ id: '', timestamp: 0, duplicate: true });
    expect(await again.replyGroup(message, qqMessage.markdown('**two**'))).toEqual({
      id: '',
      timestamp: 0,
      duplicate: true,
    });
    expect((await sentTo(message.id)).length).toBe(2);
    // Another event replying to the same message gets its own msg_seq range.
    const other = await client(core, 'qq:INTERACTION_CREATE:other').replyGroup(message, 'three');
    expect(other.duplicate).toBe(undefined);
    expect((await sentTo(message.id)).length).toBe(3);
  });

  it('uploads rich media, sends it, and recalls a message (twice: QQApiError 304026)', async () => {
    const core = proxy();
    const { message, eventId } = await groupMessage('picture please');
    const qq = client(core, eventId);
    const file = await qq.uploadGroupMedia(message.group_openid, {
      file_type: 1,
      url: 'https://example.test/a.png',
      srv_send_msg: false,
    });
    expect(file.ttl).toBe(3600);
    const sent = await qq.replyGroup(message, qqMessage.media({ file_info: file.file_info }, 'here'));
    expect((await sentTo(message.id)).map((m) => m.msg_type)).toEqual([7]);
    await qq.retractGroupMessage(message.group_openid, sent.id);
    expect((await sentTo(message.id))[0]!.recalled).toBe(true);
    const err = await qq.retractGroupMessage(message.group_openid, sent.id).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QQApiError);
    expect((err as QQApiError).qqCode).toBe(304026);
    expect((err as QQApiError).code).toBe(ERROR_CODES.QQ_API);
    expect((err as QQApiError).message).toMatch(
      /^QQ answered 400 to DELETE .* with code 304026: .*Fix: reply with the id/,
    );
  });

  it('guild calls: me, guilds, channels; a burst to one channel stays under its write limit', async () => {
    const core = proxy();
    const qq = client(core);
    const me = await qq.me();
    expect(me.bot).toBe(true);
    const [guild] = await qq.meGuilds();
    const channels = await qq.channels(guild!.id);
    // Other test files share this emulator and may add channels after these two.
    expect(channels.slice(0, 2).map((c) => c.name)).toEqual(['general', 'announcements']);
    const sent = await Promise.all(
      Array.from({ length: 8 }, (_, i) => qq.postMessage(channels[0]!.id, { content: `n${i}` })),
    );
    expect(sent.map((m) => m.content)).toEqual(['n0', 'n1', 'n2', 'n3', 'n4', 'n5', 'n6', 'n7']);
    // No 429/20028 reached this proxy: its per-channel rule kept the burst under the emulator's limit.
    expect(core.stats.rateLimited).toBe(0);
    expect(core.stats.requests).toBe(11);
    await qq.addPins(channels[0]!.id, sent[0]!.id);
    expect((await qq.getPins(channels[0]!.id)).message_ids).toEqual([sent[0]!.id]);
    await qq.retractMessage(channels[0]!.id, sent[1]!.id, { hidetip: true });
  });

  it("a caller's maxWaitMs shorter than the predicted wait is refused at once", async () => {
    const core = proxy();
    const qq = client(core);
    const [guild] = await qq.meGuilds();
    const channel = (await qq.channels(guild!.id))[1]!.id;
    await Promise.all(Array.from({ length: 5 }, (_, i) => qq.postMessage(channel, { content: `f${i}` })));
    const err = await qq.postMessage(channel, { content: 'late' }, { maxWaitMs: 10 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitedError);
    expect((err as RateLimitedError).code).toBe(ERROR_CODES.RATE_LIMITED);
  });

  it('an unknown guild is QQApiError 10004 with the fix; a token expired meanwhile is replaced once', async () => {
    const core = proxy();
    const qq = client(core);
    const err = await qq.guild('404').catch((e: unknown) => e);
    expect([(err as QQApiError).status, (err as QQApiError).qqCode]).toEqual([404, 10004]);
    expect((err as QQApiError).fix).toBe('the guild id is wrong or the bot left that guild');
    await emu('/tokens/expire', {});
    expect((await qq.me()).bot).toBe(true);
    expect(core.stats.tokenRefreshes).toBe(1);
  });

  it('builders refuse a malformed message before any request', async () => {
    const core = proxy();
    const { message, eventId } = await groupMessage('buttons');
    const qq = client(core, eventId);
    const row = [qqButton.callback('a', 'x')];
    const tooMany = qqKeyboard.rows(row, row, row, row, row, row);
    const requests = core.stats.requests;
    await expect(qq.replyGroup(message, qqMessage.markdown('pick', tooMany))).rejects.toThrow(QQMessageInvalidError);
    await expect(qq.replyGroup(message, qqMessage.markdown('pick', tooMany))).rejects.toThrow(
      'QQ message not sent: keyboard has 6 rows; QQ allows 5',
    );
    await expect(qq.replyGroup(message, { msg_type: 7 })).rejects.toThrow('msg_type 7 needs media');
    expect(core.stats.requests).toBe(requests);
  });
});
