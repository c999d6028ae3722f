// The REST route table: each row is a route template, its rate-limit bucket and its handler. Adding an
// endpoint is adding a row (limits are data, read by RateLimiter; EmulatorOptions.restLimits overrides the
// numbers per route, so tests can shrink windows).
import { RECOMMENDED_GUILDS_PER_SHARD } from '../world.ts';
import { GUILD_ROUTES } from './guilds.ts';
import { MESSAGE_ROUTES } from './messages.ts';
import { GENEROUS, type RouteDef } from './route-types.ts';
import { WEBHOOK_ROUTES } from './webhooks.ts';

export { createRestState, type RestResult, type RestState, type RouteContext, type RouteDef } from './route-types.ts';

const GATEWAY_ROUTES: RouteDef[] = [
  {
    method: 'GET',
    path: '/gateway',
    bucket: () => GENEROUS,
    handle: ({ core }) => ({ status: 200, body: { url: core.urls().gatewayUrl } }),
  },
  {
    // Discord docs, Topics > Gateway > Get Gateway Bot.
    method: 'GET',
    path: '/gateway/bot',
    bucket: () => GENEROUS,
    handle: ({ core }) => ({
      status: 200,
      body: {
        url: core.urls().gatewayUrl,
        // Follows the guild count, as Discord's does: a growing bot is told to reshard.
        shards: Math.max(core.options.shards, Math.ceil(core.index.world.guilds.length / RECOMMENDED_GUILDS_PER_SHARD)),
        session_start_limit: core.hub.gate.sessionStartLimit(),
      },
    }),
  },
  {
    method: 'GET',
    path: '/users/@me',
    bucket: () => GENEROUS,
    handle: ({ core }) => ({ status: 200, body: { ...core.index.world.bot, discriminator: '0', avatar: null } }),
  },
];

export const ROUTES: RouteDef[] = [...GATEWAY_ROUTES, ...MESSAGE_ROUTES, ...WEBHOOK_ROUTES, ...GUILD_ROUTES];
