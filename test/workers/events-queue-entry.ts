// The queue-mode e2e Worker (test/e2e/wrangler.e2e-queue.toml): the real app and queue consumer, plus the
// observing MESSAGE_CREATE handler of test/e2e/worker-entry.ts that reports to the test's ledger. Lives
// here, not in test/e2e/, because it is type-checked with the Workers types.
import { createApp } from '../../workers/app.ts';
import { onDiscord, Registry } from '../../workers/dispatch/registry.ts';
import type { Env } from '../../workers/env.ts';
import { handlers } from '../../workers/handlers/index.ts';
import { queueConsumer } from '../../workers/queue/consumer.ts';

export { ShardCoordinator } from '../../workers/durable-objects/coordinator.ts';
export { RestProxy } from '../../workers/durable-objects/rest-proxy.ts';

const ledger = onDiscord('MESSAGE_CREATE', async (message, ctx) => {
  const url = (ctx.env as unknown as { LEDGER_URL: string }).LEDGER_URL;
  const res = await fetch(url, {
    method: 'POST',
    body: JSON.stringify({ eventId: ctx.event.id, messageId: message.id, shard: ctx.event.shard }),
  });
  if (!res.ok) throw new Error(`ledger answered ${res.status}`);
});

const registry = new Registry([...handlers, ledger]);
const app = createApp(registry);

export default { fetch: app.fetch, queue: queueConsumer(registry) } satisfies ExportedHandler<Env>;
