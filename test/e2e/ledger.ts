// A small HTTP server in the test process that records what the e2e Worker's observing handler reports.
import { createServer, type Server } from 'node:http';

export interface LedgerEntry {
  eventId: string;
  messageId: string;
  shard: number;
}

export interface Ledger {
  url: string;
  entries: LedgerEntry[];
  /** Switches the e2e Worker's handlers read with GET /flags/<name> (poison.test.ts heals `poison`). */
  flags: Map<string, string>;
  close(): Promise<void>;
}

export async function startLedger(): Promise<Ledger> {
  const entries: LedgerEntry[] = [];
  const flags = new Map<string, string>();
  const server: Server = createServer((req, res) => {
    if (req.method === 'GET' && req.url?.startsWith('/flags/')) {
      res.end(flags.get(req.url.slice('/flags/'.length)) ?? '');
      return;
    }
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      entries.push(JSON.parse(body) as LedgerEntry);
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}/`, entries, flags, close: () => new Promise((r) => server.close(() => r())) };
}
