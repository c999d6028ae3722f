// Composition root of the Worker: the app with the bot's handlers, and the Durable Object classes.
import { createApp } from './app.ts';
import { Registry } from './dispatch/registry.ts';
import type { Env } from './env.ts';
import { handlers } from './handlers/index.ts';
import { queueConsumer } from './queue/consumer.ts';

export { ShardCoordinator } from './durable-objects/coordinator.ts';
export { RestProxy } from './durable-objects/rest-proxy.ts';

const registry = new Registry(handlers);
const app = createApp(registry);

// `fetch` serves every route; `queue` consumes EVENTS_QUEUE in queue mode (wrangler.toml [env.queue]).
export default {
  fetch: app.fetch,
  queue: queueConsumer(registry),
} satisfies ExportedHandler<Env>;
