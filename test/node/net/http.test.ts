// httpFetch (shard-host/net/http.ts), the host's fetch for /gateway/bot and QQ's token, on real sockets.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpFetch } from '../../../shard-host/net/http.ts';

interface Seen {
  method: string;
  headers: IncomingMessage['headers'];
  body: string;
}

let server: Server;
let base: string;
const seen: Seen[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ method: req.method!, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      if (req.url === '/slow') return; // never answers
      res.statusCode = req.url === '/missing' ? 404 : 200;
      res.end(req.url === '/missing' ? 'no such thing' : JSON.stringify({ ok: true, url: req.url }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => {
  server.closeAllConnections();
  server.close();
});

describe('httpFetch', () => {
  it('sends the method and headers and reads the whole answer', async () => {
    const res = await httpFetch(`${base}/gateway/bot`, { method: 'GET', headers: { authorization: 'Bot t' } });
    expect(res.status).toBe(200);
    expect(JSON.parse(await res.text())).toEqual({ ok: true, url: '/gateway/bot' });
    expect(seen.at(-1)!.method).toBe('GET');
    expect(seen.at(-1)!.headers.authorization).toBe('Bot t');
  });

  it('sends a body with its byte length (non-ASCII included)', async () => {
    const body = JSON.stringify({ appId: '1', clientSecret: '密钥' });
    await httpFetch(`${base}/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(seen.at(-1)!.body).toBe(body);
    expect(seen.at(-1)!.headers['content-length']).toBe(String(Buffer.byteLength(body)));
  });

  it('resolves any status, so the caller can name what it means', async () => {
    const res = await httpFetch(`${base}/missing`, { method: 'GET', headers: {} });
    expect(res.status).toBe(404);
    expect(await res.text()).toBe('no such thing');
  });

  it('rejects when nothing listens', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await expect(httpFetch(`http://127.0.0.1:${port}/`, { method: 'GET', headers: {} })).rejects.toThrow(
      /ECONNREFUSED/,
    );
  });

  it('rejects when no answer comes within the timeout', async () => {
    await expect(httpFetch(`${base}/slow`, { method: 'GET', headers: {} }, 100)).rejects.toThrow(
      'no answer within 100 ms',
    );
  });

  it('rejects when the signal aborts', async () => {
    const abort = new AbortController();
    const pending = httpFetch(`${base}/slow`, { method: 'GET', headers: {}, signal: abort.signal });
    abort.abort();
    await expect(pending).rejects.toThrow(/abort/i);
  });
});
