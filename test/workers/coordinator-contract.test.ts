// The lease and identify contract against the ShardCoordinator Durable Object, over its authenticated
// WebSocket in the Workers runtime (the in-process driver passes the same suite: test/node/lease).
import { SELF } from 'cloudflare:test';
import { beforeEach } from 'vitest';
import {
  connectSigningBody,
  HOST_HEADER,
  NONCE_HEADER,
  signedHeaders,
  type CoordinatorMessage,
} from '../../protocol/index.ts';
import { leaseContract, type ContractHost } from '../contract/lease.ts';
import { resetCoordinator, SECRET } from './helpers.ts';

beforeEach(resetCoordinator);

leaseContract('ShardCoordinator Durable Object', async () => ({
  settle: () => new Promise((r) => setTimeout(r, 50)),
  async connect(hostId) {
    const nonce = crypto.randomUUID();
    const headers = {
      ...(await signedHeaders(SECRET, connectSigningBody(hostId, nonce))),
      [HOST_HEADER]: hostId,
      [NONCE_HEADER]: nonce,
      upgrade: 'websocket',
    };
    const res = await SELF.fetch('http://worker/coordinator/connect', { headers });
    const ws = res.webSocket;
    if (!ws) throw new Error(`coordinator refused the connection: ${res.status} ${await res.text()}`);
    const inbox: CoordinatorMessage[] = [];
    const waiting: { type: string; resolve(m: CoordinatorMessage): void }[] = [];
    ws.accept();
    ws.addEventListener('message', (e) => {
      const m = JSON.parse(String(e.data)) as CoordinatorMessage;
      const i = waiting.findIndex((w) => w.type === m.type);
      if (i >= 0) waiting.splice(i, 1)[0]!.resolve(m);
      else inbox.push(m);
    });
    const host: ContractHost = {
      send: (m) => ws.send(JSON.stringify(m)),
      next: (type) => {
        const i = inbox.findIndex((m) => m.type === type);
        if (i >= 0) return Promise.resolve(inbox.splice(i, 1)[0]! as never);
        return new Promise((resolve) => waiting.push({ type, resolve: resolve as (m: CoordinatorMessage) => void }));
      },
      received: (type) => inbox.filter((m) => m.type === type) as never,
      close: () => ws.close(1000, 'done'),
    };
    return host;
  },
}));
