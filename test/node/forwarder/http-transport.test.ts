// The forwarder's HTTP transport against real sockets on 127.0.0.1: answers, refusals, timeouts, and one
// kept-alive connection for consecutive batches.
import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpTransport } from '../../../shard-host/forwarder/http-transport.ts';
import { verify } from '../../../protocol/signing.ts';

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
});

async function listen(handler: Parameters<typeof createServer>[1]): Promise<{ url: string; server: Server }> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}/base/`, server };
}

describe('HttpTransport (node:http, keep-alive)', () => {
  it('POSTs the signed body to {workerUrl}/events and returns status, Retry-After and text; one socket for both batches', async () => {
    const seen: { path: string; ok: boolean; socket: unknown }[] = [];
    const { url } = await listen((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const h = (n: string) => req.headers[n] as string | undefined;
        verify('s', { timestamp: h('x-edgeshard-timestamp'), signature: h('x-edgeshard-signature') }, body).then(
          () => {
            seen.push({ path: req.url!, ok: body === '{"n":"é"}', socket: req.socket });
            res.writeHead(429, { 'retry-after': '3' }).end('slow down');
          },
          () => res.writeHead(401).end(),
        );
      });
    });
    const t = new HttpTransport({ workerUrl: url, secret: 's' });
    expect(await t.send('{"n":"é"}')).toEqual({ kind: 'answer', status: 429, retryAfter: '3', text: 'slow down' });
    expect(await t.send('{"n":"é"}')).toEqual({ kind: 'answer', status: 429, retryAfter: '3', text: 'slow down' });
    expect(seen.map((s) => [s.path, s.ok])).toEqual([
      ['/base/events', true],
      ['/base/events', true],
    ]);
    expect(seen[0]!.socket === seen[1]!.socket).toBe(true);
    await t.close();
  });

  it('a refused connection is unreachable, never a throw', async () => {
    const { url, server } = await listen(() => {});
    await new Promise((r) => server.close(r));
    servers.length = 0;
    const reply = await new HttpTransport({ workerUrl: url, secret: 's' }).send('{}');
    expect(reply.kind).toBe('unreachable');
    expect(reply.kind === 'unreachable' && reply.error).toMatch(/ECONNREFUSED/);
  });

  it('no answer within the timeout is unreachable, naming the timeout', async () => {
    const { url } = await listen(() => {});
    const t = new HttpTransport({ workerUrl: url, secret: 's', requestTimeoutMs: 100 });
    expect(await t.send('{}')).toEqual({ kind: 'unreachable', error: 'no answer within 100 ms' });
    await t.close();
  });
});
