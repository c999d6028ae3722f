// The bench Worker: the real app and handlers plus an observing MESSAGE_CREATE handler that notes when
// the Worker ran it and reports those times to the bench's ledger in one request per /events request,
// so observing costs the Worker one fetch per batch instead of one per event (which would measure the
// ledger, not delivery). Plain JavaScript: the Node type-check does not know Workers types.
import { createApp } from '../../workers/app.ts';
import { onDiscord, Registry } from '../../workers/dispatch/registry.ts';
import { handlers } from '../../workers/handlers/index.ts';

export { ShardCoordinator } from '../../workers/durable-objects/coordinator.ts';
export { RestProxy } from '../../workers/durable-objects/rest-proxy.ts';

/** One buffer per /events request: every event of a request shares its waitUntil function. */
const buffers = new WeakMap();

const observe = onDiscord('MESSAGE_CREATE', (_message, ctx) => {
  let buffer = buffers.get(ctx.waitUntil);
  if (!buffer) {
    buffer = [];
    buffers.set(ctx.waitUntil, buffer);
    // Flushed after this request's handlers ran (they all start in the same turn).
    ctx.waitUntil(
      new Promise((resolve) => setTimeout(resolve, 0)).then(() =>
        fetch(ctx.env.LEDGER_URL, { method: 'POST', body: JSON.stringify(buffer) }),
      ),
    );
  }
  buffer.push({ eventId: ctx.event.id, t: Date.now() });
});

export default createApp(new Registry([...handlers, observe]));
