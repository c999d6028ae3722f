// Composition root of the Worker: the app with the bot's handlers, and the Durable Object classes.
import { createApp } from './app.ts';
import { Registry } from './dispatch/registry.ts';
import { handlers } from './handlers/index.ts';

export { ShardCoordinator } from './durable-objects/coordinator.ts';
export { RestProxy } from './durable-objects/rest-proxy.ts';

export default createApp(new Registry(handlers));
