// One QQ event delivered by webhook and by websocket carries one id both ways, so the Worker's delivery
// ledger runs its handlers once: the webhook route names it `qq:{payload.id}` (workers/routes/webhooks-qq.ts),
// the shard's envelope `qq:{dispatch id}`.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../../emulator/index.ts';
import { QQ_DEFAULT_INTENTS } from '../../../protocol/qq.ts';
import { toEnvelope } from '../../../shard-host/gateway/envelope.ts';
import type { DispatchRecord } from '../../../shard-host/gateway/options.ts';
import { memoryLogger } from '../../../shard-host/log.ts';
import { createQQPlatform, type QQPlatform } from '../../../shard-host/platforms/qq.ts';
import type { Shard } from '../../../shard-host/gateway/shard.ts';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

/** A stand-in for the Worker's /webhooks/qq that records payloads and acknowledges them. */
async function webhookSink(): Promise<{ url: string; payloads: { id: string; t: string }[] }> {
  const payloads: { id: string; t: string }[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      payloads.push(JSON.parse(body) as { id: string; t: string });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"op":12,"d":0}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanup.push(() => new Promise<void>((r) => server.close(() => r())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, payloads };
}

describe('a QQ event by webhook and by websocket', () => {
  it('has the same id both ways', async () => {
    const sink = await webhookSink();
    const emulator: Emulator = await startEmulator({ port: 0, workerUrl: sink.url });
    cleanup.push(() => emulator.close());
    const info = emulator.webhooks();
    const platform: QQPlatform = await createQQPlatform({
      config: {
        appId: info.qqAppId,
        appSecret: info.qqAppSecret,
        apiUrl: `${emulator.url}/qq/api`,
        tokenUrl: `${emulator.url}/qq/app/getAppAccessToken`,
        intents: QQ_DEFAULT_INTENTS,
        sandbox: false,
      },
      logger: memoryLogger(),
    });
    cleanup.push(() => platform.stop());
    const records: DispatchRecord[] = [];
    const shard: Shard = platform.makeShard(0, undefined, {
      identifyGate: { acquire: async () => {} },
      logger: memoryLogger(),
      onDispatch: (r) => records.push(r),
    });
    cleanup.push(() => shard.stop({ resumable: false }));
    const ready = shard.ready();
    shard.start();
    await ready;
    const res = await fetch(`${emulator.url}/_emulator/qq/say`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ content: 'twice', via: 'both' }),
    });
    const { event } = (await res.json()) as { event: { id: string; via: string; acked: boolean } };
    expect([event.via, event.acked]).toEqual(['both', true]);
    const start = Date.now();
    while (!records.some((r) => r.type === 'GROUP_AT_MESSAGE_CREATE') && Date.now() - start < 5_000)
      await new Promise((r) => setTimeout(r, 5));
    const viaSocket = records.find((r) => r.type === 'GROUP_AT_MESSAGE_CREATE')!;
    expect(sink.payloads.map((p) => p.id)).toEqual([event.id]);
    expect(toEnvelope(viaSocket).id).toBe(`qq:${sink.payloads[0]!.id}`);
  });
});
