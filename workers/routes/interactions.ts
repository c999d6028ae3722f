// POST /interactions: Discord HTTP interactions. The Ed25519 signature over timestamp + raw body is checked
// against DISCORD_PUBLIC_KEY before the body is even parsed (Discord docs, Interactions > Overview >
// Validating Security Request Headers: a bad signature must get 401, and Discord probes this when the
// endpoint URL is saved). Then PING → PONG, and everything else goes to the interaction router; the
// handler's response is the HTTP response (Discord waits 3 s for it; defer for longer work).
import type { APIInteraction } from 'discord-api-types/v10';
import { Hono } from 'hono';
import { EdgeshardError, ERROR_CODES } from '../../protocol/index.ts';
import { createHandlerContext } from '../dispatch/context.ts';
import type { Registry } from '../dispatch/registry.ts';
import type { Env } from '../env.ts';
import { importPublicKey, verifySignedRequest } from '../interactions/ed25519.ts';
import { parseJsonBody, readBodyLimited } from './body.ts';

/** Discord's interactions are small; anything much bigger is not from Discord. */
const MAX_INTERACTION_BYTES = 256 * 1024;

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
  return value as APIInteraction;
}

export function interactionsRoute(registry: Registry): Hono<{ Bindings: Env }> {
  const route = new Hono<{ Bindings: Env }>();

  route.post('/', async (c) => {
    const publicKey = c.env.DISCORD_PUBLIC_KEY;
    if (!publicKey) {
      throw new EdgeshardError(
        ERROR_CODES.CONFIG_INVALID,
        'DISCORD_PUBLIC_KEY is not set on the Worker: copy the public key from Developer Portal > General Information into [vars] (or .dev.vars)',
      );
    }
    const key = await importPublicKey(publicKey, 'DISCORD_PUBLIC_KEY');
    const body = await readBodyLimited(c.req.raw, MAX_INTERACTION_BYTES);
    await verifySignedRequest(
      key,
      { signature: c.req.header('x-signature-ed25519'), timestamp: c.req.header('x-signature-timestamp'), body },
      {
        headers: 'X-Signature-Ed25519 / X-Signature-Timestamp',
        fix: 'DISCORD_PUBLIC_KEY must be the public key of the application that sends these interactions',
      },
    );
    const interaction = parseInteraction(body);

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
          err instanceof EdgeshardError ? `${err.code}: ${err.message}` : err instanceof Error ? err.name : typeof err,
      });
      throw new EdgeshardError(
        ERROR_CODES.HANDLER_FAILED,
        `the interaction handler failed; see the Worker logs for event ${ctx.event.id}`,
        { cause: err },
      );
    }
    if (!outcome.handled) registry.count(`discord:interaction:${outcome.key}`);
    return c.json(outcome.response);
  });

  return route;
}
