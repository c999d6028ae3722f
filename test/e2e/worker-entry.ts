// The real Worker plus one observing handler that reports every MESSAGE_CREATE it handles to the test's
// ledger, so the test can check delivery by id, and one test-only command (/e2e-defer) that exercises the
// deferred-reply helpers. Nothing of ours is replaced. `buildApp` lets a generated entry add handlers (the
// reload test's rewritable module, test/e2e/reload-entry.ts).
import { createApp } from '../../workers/app.ts';
import { onCommand, onDiscord, Registry, type HandlerDefinition } from '../../workers/dispatch/registry.ts';
import { handlers } from '../../workers/handlers/index.ts';

export { ShardCoordinator } from '../../workers/durable-objects/coordinator.ts';
export { RestProxy } from '../../workers/durable-objects/rest-proxy.ts';

const ledger = onDiscord('MESSAGE_CREATE', async (message, ctx) => {
  const url = (ctx.env as unknown as { LEDGER_URL: string }).LEDGER_URL;
  const res = await fetch(url, { method: 'POST', body: JSON.stringify({ eventId: ctx.event.id, messageId: message.id, shard: ctx.event.shard }) });
  if (!res.ok) throw new Error(`ledger answered ${res.status}`);
});

const deferred = onCommand({ name: 'e2e-defer', description: 'deferred reply, edit and follow-up' }, (_interaction, ctx) =>
  ctx.defer(async () => {
    await ctx.editReply('deferred done');
    await ctx.followUp('follow-up');
  }),
);

export function buildApp(extra: HandlerDefinition[] = []) {
  return createApp(new Registry([...handlers, ledger, deferred, ...extra]));
}

export default buildApp();
