// A stand-in for the Worker's /events in bench:gateway: its own process on 127.0.0.1, so its CPU is not
// counted in the measured client. Verifies each batch's HMAC like the Worker, parses the batch and answers
// one `ack` per event (the per-event answer the real Worker gives). Prints `{"url":…}` when listening.
// `node bench/gateway/stand-in-worker.ts --secret S [--hang]`
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { PROTOCOL_VERSION } from '../../protocol/events.ts';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, verify } from '../../protocol/signing.ts';

const { values: a } = parseArgs({
  options: { secret: { type: 'string', default: 'bench-secret' }, hang: { type: 'boolean', default: false } },
});
const secret = a.secret!;
let events = 0;
let requests = 0;

const server = createServer((req, res) => {
  if (req.method === 'GET') {
    res.writeHead(200, { 'content-type': 'application/json' });
    return res.end(JSON.stringify({ events, requests }));
  }
  // --hang: a Worker that never answers (the host's spool fills to its high-water mark and reading pauses).
  if (a.hang) return void req.resume();
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    const header = (name: string) => {
      const v = req.headers[name];
      return typeof v === 'string' ? v : null;
    };
    verify(secret, { timestamp: header(TIMESTAMP_HEADER), signature: header(SIGNATURE_HEADER) }, body).then(
      () => {
        const batch = JSON.parse(body) as { events?: { id: string }[]; shards?: { events: { id: string }[] }[] };
        const list = batch.events ?? (batch.shards ?? []).flatMap((s) => s.events);
        requests++;
        events += list.length;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ v: PROTOCOL_VERSION, results: list.map((e) => ({ id: e.id, outcome: 'ack' })) }));
      },
      (err: unknown) => {
        res.writeHead(401, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: (err as Error).message }));
      },
    );
  });
});
server.keepAliveTimeout = 400_000;
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as { port: number };
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}` })}\n`);
});
process.on('SIGINT', () => server.close(() => process.exit(0)));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
