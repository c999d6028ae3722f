// Channel and guild routes that exercise the rarer answers: a shared-scope 429 (renaming a channel is limited
// on the channel itself, 2 per 10 minutes for everyone, which our own headers cannot show) and a 403 (the
// emulated bot has no Ban Members permission), the kind of answer the invalid-request limit counts.
import { error, GENEROUS, type RouteDef } from './route-types.ts';

export const GUILD_ROUTES: RouteDef[] = [
  {
    // Discord docs, Resources > Channel > Modify Channel.
    method: 'PATCH',
    path: '/channels/:channel_id',
    bucket: () => ({ limit: 10, windowMs: 10_000, major: 'channel_id', shared: { limit: 2, windowMs: 600_000 } }),
    handle: async ({ core, params, body }) => {
      const found = core.index.channel(params.channel_id ?? '');
      if (!found) return error(404, 10003, 'Unknown Channel');
      const input = (await body()) as { name?: unknown; topic?: unknown } | undefined;
      const name = typeof input?.name === 'string' ? input.name : found.channel.name;
      return {
        status: 200,
        body: {
          ...found.channel,
          name,
          guild_id: found.guild.id,
          ...(typeof input?.topic === 'string' ? { topic: input.topic } : {}),
        },
      };
    },
  },
  {
    // Discord docs, Resources > Guild > Create Guild Ban: needs BAN_MEMBERS, which the emulated bot lacks.
    method: 'PUT',
    path: '/guilds/:guild_id/bans/:user_id',
    bucket: () => ({ ...GENEROUS, major: 'guild_id' }),
    handle: ({ core, params }) => {
      if (!core.index.world.guilds.some((g) => g.id === params.guild_id)) return error(404, 10004, 'Unknown Guild');
      return error(403, 50013, 'Missing Permissions');
    },
  },
];
