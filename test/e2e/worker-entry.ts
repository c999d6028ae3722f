// The real Worker plus one observing handler that reports every MESSAGE_CREATE it handles to the test's
// ledger, so the test can check delivery by id. Nothing of ours is replaced.
import { createApp } from '../../workers/app.ts';
import { onDiscord, Registry } from '../../workers/dispatch/registry.ts';
import { handlers } from '../../workers/handlers/index.ts';

export { ShardCoordinator } from '../../workers/durable-objects/coordinator.ts';
export { RestProxy } from '../../workers/durable-objects/rest-proxy.ts';

const ledger = onDiscord('MESSAGE_CREATE', async (message, ctx) => {
  const url = (ctx.env as unknown as { LEDGER_URL: string }).LEDGER_URL;
  const res = await fetch(url, { method: 'POST', body: JSON.stringify({ eventId: ctx.event.id, messageId: message.id, shard: ctx.event.shard }) });
  if (!res.ok) throw new Error(`ledger answered ${res.status}`);
});

export default createApp(new Registry([...handlers, ledger]));
