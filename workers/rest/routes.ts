// Route → rate-limit key. Discord shares a bucket between routes with the same template, split by the
// "major parameter" (Discord docs, Topics > Rate Limits: "Top-level resources are currently limited to
// channels (channel_id), guilds (guild_id), and webhooks (webhook_id or webhook_id + webhook_token)").
// The limiter key is then bucket hash (learned from X-RateLimit-Bucket) + major; the template only names
// the bucket until the hash is known.

export interface RouteKey {
  /** Method and path template with ids replaced, e.g. `POST /channels/:id/messages`. */
  route: string;
  /** The major parameter's value, or `global` when the route has none. */
  major: string;
}

const SNOWFLAKE = /^\d{16,21}$/;
const MAJOR_RESOURCES = new Set(['channels', 'guilds', 'webhooks']);
/** Discord epoch (Reference > Snowflakes): ms since 2015-01-01. */
const DISCORD_EPOCH = 1_420_070_400_000n;
const TWO_WEEKS_MS = 14 * 24 * 3600 * 1000;

function snowflakeTime(id: string): number {
  return Number((BigInt(id) >> 22n) + DISCORD_EPOCH);
}

/** Path segments after `/interactions/:id/:token` or `/webhooks/:id/:token` name a token, not an id. */
function templateOf(parts: string[]): { template: string[]; major: string } {
  let major = 'global';
  const template: string[] = [];
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    const prev = parts[i - 1];
    if (i === 1 && prev !== undefined && MAJOR_RESOURCES.has(prev)) {
      major = part;
      // Webhook routes are keyed by id + token (the segment after the id) when a token is present.
      if (prev === 'webhooks' && parts[i + 1] !== undefined) {
        major = `${part}/${parts[i + 1]}`;
        template.push(':id', ':token');
        i++;
        continue;
      }
      template.push(':id');
    } else if (i === 1 && prev === 'interactions') {
      // Interaction callbacks: one bucket per interaction, keyed by id + token like a webhook.
      major = `${part}/${parts[i + 1] ?? ''}`;
      template.push(':id', ':token');
      i++;
    } else if (prev === 'reactions') {
      // Reactions share one bucket whatever the emoji (the emoji is neither an id nor a major parameter;
      // discord.js normalises it the same way in packages/rest/src/lib/REST.ts).
      template.push(':emoji');
    } else if (i === 1 && prev === 'invites') {
      template.push(':code');
    } else {
      template.push(SNOWFLAKE.test(part) ? ':id' : part);
    }
  }
  return { template, major };
}

export function routeKey(method: string, path: string, now: number = Date.now()): RouteKey {
  const upper = method.toUpperCase();
  const parts = path.split('?')[0]!.split('/').filter(Boolean);
  const { template, major } = templateOf(parts);
  let route = `${upper} /${template.join('/')}`;
  // Deleting a message older than two weeks has its own, stricter limit (Discord docs, Resources > Message >
  // Bulk Delete Messages, and the "old message" sub-limit discord.js keys separately): keep it out of the
  // ordinary delete bucket so a run of old deletes cannot stall fresh ones, and vice versa.
  if (upper === 'DELETE' && route === 'DELETE /channels/:id/messages/:id') {
    const id = parts[3]!;
    if (SNOWFLAKE.test(id) && now - snowflakeTime(id) > TWO_WEEKS_MS) route += ' (old)';
  }
  // Emoji routes are limited per guild with their own structure (Discord docs, Topics > Rate Limits: "Emoji
  // routes have a different rate limit structure"); the guild is already the major parameter, so the
  // template keeps them apart from other guild routes.
  return { route, major };
}

/**
 * Whether the route's limit is split by one of the top-level resources Discord documents (channels, guilds,
 * webhooks): then a bucket hash learned under one major parameter holds, with a fresh window, under another.
 * Interaction callbacks are keyed per interaction here too, but no document says so: they learn on their own.
 */
export function splitByDocumentedMajor(route: string): boolean {
  return /^[A-Z]+ \/(channels|guilds|webhooks)\/:id/.test(route);
}

/**
 * Interaction callbacks and interaction webhooks are not bound to the bot's global rate limit (Discord
 * docs, Interactions > Receiving and Responding: "Interaction endpoints are not bound to the bot's Global
 * Rate Limit"); webhooks called with their token are authorised by the token, not the bot.
 */
export function exemptFromGlobal(path: string): boolean {
  return /^\/interactions\/\d+\/[^/]+\/callback/.test(path) || /^\/webhooks\/\d+\/[^/?]+/.test(path);
}

/** Routes authorised by a token in the path: the bot token is not sent, and a 401 there is not about it. */
export function usesBotToken(path: string): boolean {
  return !exemptFromGlobal(path);
}

/** `id/token` of a webhook-with-token route, for remembering webhooks that are gone. */
export function webhookOf(path: string): string | undefined {
  const m = /^\/webhooks\/(\d+)\/([^/?]+)/.exec(path);
  return m ? `${m[1]}/${m[2]}` : undefined;
}
