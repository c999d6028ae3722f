// The lease and identify contract against the ShardCoordinator Durable Object, over its authenticated
// WebSocket in the Workers runtime (the in-process driver passes the same suite: test/node/lease).
import { SELF } from 'cloudflare:test';
import { beforeEach } from 'vitest';
import { RESHARD_PATH, signedHeaders, type CoordinatorMessage, type ReshardAnswer } from '../../protocol/index.ts';
import { leaseContract, type ContractHost } from '../contract/lease.ts';
import { resetCoordinator, SECRET, leaseConnect } from './helpers.ts';

beforeEach(resetCoordinator);

leaseContract('ShardCoordinator Durable Object', async () => ({
  settle: () => new Promise((r) => setTimeout(r, 50)),
  async reshard(request) {
    const body = JSON.stringify(request);
    const res = await SELF.fetch(`http://worker${RESHARD_PATH}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await signedHeaders(SECRET, body)) },
      body,
    });
    if (res.status === 200) return { ok: true, answer: (await res.json()) as ReshardAnswer };
    const { error } = (await res.json()) as { error: { code: string; message: string } };
    return { ok: false, code: error.code, message: error.message };
  },
  async connect(hostId) {
    const res = await leaseConnect(hostId);
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
