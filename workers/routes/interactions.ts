// POST /interactions: Discord HTTP interactions. The Ed25519 signature over timestamp + raw body is checked
// against DISCORD_PUBLIC_KEY before the body is even parsed (Discord docs, Interactions > Overview >
// Validating Security Request Headers: a bad signature must get 401, and Discord probes this when the
// endpoint URL is saved). Then PING → PONG, and everything else goes to the interaction router; the
// handler's response is the HTTP response (Discord waits 3 s for it; defer for longer work).
import type { APIInteraction } from 'discord-api-types/v10';
import { Hono } from 'hono';
import { EdgeshardError, ERROR_CODES } from '../../protocol/index.ts';
import { need } from '../config.ts';
import { createHandlerContext } from '../dispatch/context.ts';
import type { Registry } from '../dispatch/registry.ts';
import { importPublicKey } from '../interactions/ed25519.ts';
import { bodyLimit, bodyText, platformSignature, type AppEnv } from '../middleware/index.ts';
import { parseJsonBody } from './body.ts';

/** Discord's interactions are small; anything much bigger is not from Discord. */
const MAX_INTERACTION_BYTES = 256 * 1024;
/**
 * How old a signed interaction may be. Discord waits 3 s for the answer (Interactions > Receiving and
 * Responding > Responding to an Interaction) and its token lives 15 min; a replay of a captured request
 * later than this is refused (earlier ones are the delivery ledger's: one run per interaction id).
 */
export const INTERACTION_MAX_AGE_SECONDS = 300;

/**
 * Interaction types that carry `data`, and the field the router reads from it (Interactions > Receiving and
 * Responding > Interaction Object > Interaction Data): commands and autocomplete by name, components and
 * modals by custom_id.
 */
const DATA_KEY: Record<number, 'name' | 'custom_id'> = { 2: 'name', 3: 'custom_id', 4: 'name', 5: 'custom_id' };

function parseInteraction(body: string): APIInteraction {
  const json = parseJsonBody(body, ERROR_CODES.MALFORMED_PAYLOAD, 'interaction body');
  const value = json as Partial<APIInteraction> | null;
  if (
    typeof value !== 'object' ||
    value === null ||
    typeof value.type !== 'number' ||
    typeof value.id !== 'string' ||
    typeof value.token !== 'string' ||
    typeof value.application_id !== 'string'
  ) {
    throw new EdgeshardError(
      ERROR_CODES.MALFORMED_PAYLOAD,
      'interaction must carry numeric "type" and string "id", "token", "application_id"',
    );
  }
  const data = (value as { data?: unknown }).data;
  const key = DATA_KEY[value.type];
  if (key !== undefined) {
    if (typeof data !== 'object' || data === null || Array.isArray(data))
      throw new EdgeshardError(
        ERROR_CODES.MALFORMED_PAYLOAD,
        `interaction of type ${value.type} must carry a "data" object`,
      );
    if (typeof (data as Record<string, unknown>)[key] !== 'string')
      throw new EdgeshardError(
        ERROR_CODES.MALFORMED_PAYLOAD,
        `interaction of type ${value.type} must carry a string data.${key}`,
      );
  }
  return value as APIInteraction;
}

export function interactionsRoute(registry: Registry): Hono<AppEnv> {
  const route = new Hono<AppEnv>();

  route.post(
    '/',
    bodyLimit({
      max: () => MAX_INTERACTION_BYTES,
      fix: () => 'Discord interactions are far smaller; this request is not from Discord',
    }),
    platformSignature({
      key: (c) => importPublicKey(need(c.var.config.discordPublicKey), 'DISCORD_PUBLIC_KEY'),
      fix: 'DISCORD_PUBLIC_KEY must be the public key of the application that sends these interactions',
      maxAgeSeconds: INTERACTION_MAX_AGE_SECONDS,
    }),
    async (c) => {
      const interaction = parseInteraction(bodyText(c));

      const ctx = createHandlerContext(
        c.env,
        { id: `discord:interaction:${interaction.id}`, platform: 'discord', shard: null, type: 'INTERACTION_CREATE' },
        (p) => c.executionCtx.waitUntil(p),
      );
      let outcome;
      try {
        outcome = await registry.interactions.route(interaction, ctx);
      } catch (err) {
        if (err instanceof EdgeshardError && err.code === ERROR_CODES.MALFORMED_PAYLOAD) throw err;
        // Logged with the event id; the response names the id only, never the error's text.
        ctx.log.error('interaction handler failed', {
          error:
            err instanceof EdgeshardError
              ? `${err.code}: ${err.message}`
              : err instanceof Error
                ? err.name
                : typeof err,
        });
        throw new EdgeshardError(
          ERROR_CODES.HANDLER_FAILED,
          `the interaction handler failed; see the Worker logs for event ${ctx.event.id}`,
          { cause: err },
        );
      }
      if (!outcome.handled) registry.count(`discord:interaction:${outcome.key}`);
      return c.json(outcome.response);
    },
  );

  return route;
}
