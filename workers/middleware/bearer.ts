// Secrets presented by programs and people (not signed requests): the status token and the REST proxy's
// credentials. Compared with the one timingSafeEqual.
import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from './types.ts';
import { matchesAny } from './timing-safe.ts';

export interface BearerOptions {
  /** The secrets accepted; an empty list means the route is off (`disabled` answers). */
  accepted: (c: Context<AppEnv>) => readonly string[];
  /** What the caller presented, from wherever the route allows (header, cookie); null: nothing. */
  presented: (c: Context<AppEnv>) => string | null | Promise<string | null>;
  disabled: (c: Context<AppEnv>) => Response | never;
  missing: (c: Context<AppEnv>) => Response | never;
  wrong: (c: Context<AppEnv>) => Response | never;
}

export function bearer(opts: BearerOptions) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const accepted = opts.accepted(c);
    if (accepted.length === 0) return opts.disabled(c);
    const token = await opts.presented(c);
    if (!token) return opts.missing(c);
    if (!(await matchesAny(token, accepted))) return opts.wrong(c);
    await next();
  });
}

/** `Authorization: Bearer <t>` / `Bot <t>` / bare `<t>`. */
export function authorizationToken(header: string | undefined): string | null {
  if (!header) return null;
  const token = header.replace(/^(Bot|Bearer)\s+/i, '').trim();
  return token === '' ? null : token;
}
