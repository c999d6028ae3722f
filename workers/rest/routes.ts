// Route → rate-limit key. Discord shares a bucket between routes with the same template, split by the
// "major parameter" (Discord docs, Topics > Rate Limits: channel_id, guild_id, webhook_id + token).

export interface RouteKey {
  /** Method and path template with ids replaced, e.g. `POST /channels/:id/messages`. */
  route: string;
  /** The major parameter's value, or `global` when the route has none. */
  major: string;
}

const SNOWFLAKE = /^\d{16,21}$/;
const MAJOR_RESOURCES = new Set(['channels', 'guilds', 'webhooks']);

export function routeKey(method: string, path: string): RouteKey {
  const parts = path.split('?')[0]!.split('/').filter(Boolean);
  let major = 'global';
  const template: string[] = [];
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    const prev = parts[i - 1];
    if (i === 1 && prev !== undefined && MAJOR_RESOURCES.has(prev)) {
      major = part;
      // Webhook routes are also keyed by their token (the segment after the id).
      if (prev === 'webhooks' && parts[i + 1] !== undefined) {
        major = `${part}/${parts[i + 1]}`;
        template.push(':id', ':token');
        i++;
        continue;
      }
      template.push(':id');
    } else if (prev === 'reactions') {
      // Reactions share one bucket whatever the emoji (Discord docs, Resources > Message > reactions).
      template.push(':emoji');
    } else {
      template.push(SNOWFLAKE.test(part) ? ':id' : part);
    }
  }
  return { route: `${method.toUpperCase()} /${template.join('/')}`, major };
}

/**
 * Interaction callbacks and interaction webhooks are not bound to the global rate limit (Discord docs,
 * Interactions > Receiving and Responding).
 */
export function exemptFromGlobal(path: string): boolean {
  return /^\/interactions\/\d+\/[^/]+\/callback/.test(path) || /^\/webhooks\/\d+\/[^/]+/.test(path);
}
