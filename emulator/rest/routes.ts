// The REST route table: each row is a route template, its rate-limit bucket and its handler. Adding an
// endpoint is adding a row (limits are data, read by RateLimiter).
import type { APIEmbed } from 'discord-api-types/v10';
import type { EmulatorCore } from '../core.ts';
import { publishMessage } from '../publish.ts';
import type { BucketSpec } from './ratelimit.ts';

export interface RestResult {
  status: number;
  body: unknown;
}

export interface RouteContext {
  core: EmulatorCore;
  params: Record<string, string>;
  body: () => Promise<unknown>;
}

export interface RouteDef {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** Path under /api/v10 with :named parameters. */
  path: string;
  bucket: (core: EmulatorCore) => Omit<BucketSpec, 'route'>;
  handle: (ctx: RouteContext) => RestResult | Promise<RestResult>;
}

// Discord does not publish per-route numbers; routes without a documented limit get a generous one so the
// headers are present and stable without getting in a client's way.
const GENEROUS = { limit: 100, windowMs: 1000 };

const error = (status: number, code: number, message: string, extra: Record<string, unknown> = {}): RestResult => ({
  status,
  body: { message, code, ...extra },
});

export const ROUTES: RouteDef[] = [
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
      body: { url: core.urls().gatewayUrl, shards: core.options.shards, session_start_limit: core.hub.gate.sessionStartLimit() },
    }),
  },
  {
    method: 'GET',
    path: '/users/@me',
    bucket: () => GENEROUS,
    handle: ({ core }) => ({ status: 200, body: { ...core.index.world.bot, discriminator: '0', avatar: null } }),
  },
  {
    // Discord docs, Resources > Message > Create Message.
    method: 'POST',
    path: '/channels/:channel_id/messages',
    bucket: (core) => ({ ...core.options.messageLimit, major: 'channel_id' }),
    handle: async ({ core, params, body }) => {
      const found = core.index.channel(params.channel_id ?? '');
      if (!found) return error(404, 10003, 'Unknown Channel');
      const input = (await body()) as { content?: unknown; embeds?: unknown; nonce?: unknown; message_reference?: { message_id?: unknown } } | undefined;
      const content = typeof input?.content === 'string' ? input.content : '';
      const embeds = Array.isArray(input?.embeds) ? (input.embeds as APIEmbed[]) : [];
      if (content.length > 2000) {
        return error(400, 50035, 'Invalid Form Body', {
          errors: { content: { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 2000 or fewer in length.' }] } },
        });
      }
      if (content.length === 0 && embeds.length === 0) return error(400, 50006, 'Cannot send an empty message');
      const nonce = typeof input?.nonce === 'string' || typeof input?.nonce === 'number' ? input.nonce : undefined;
      // The referenced message's existence is not checked: the emulator keeps no message store.
      const replyTo = typeof input?.message_reference?.message_id === 'string' ? input.message_reference.message_id : undefined;
      const message = publishMessage(core, {
        ...(replyTo !== undefined ? { replyTo } : {}),
        channel: found.channel,
        guild: found.guild,
        author: core.index.world.bot,
        content,
        embeds,
        ...(nonce !== undefined ? { nonce } : {}),
      });
      core.sentMessages.push(message);
      core.counters.messagesSent++;
      return { status: 200, body: message };
    },
  },
];
