// POST /interactions: Discord HTTP interactions. The Ed25519 signature over timestamp + raw body is checked
// against DISCORD_PUBLIC_KEY before the body is even parsed (Discord docs, Interactions > Overview >
// Validating Security Request Headers: a bad signature must get 401, and Discord probes this when the
// endpoint URL is saved). Then PING → PONG, and everything else goes to the interaction router once per
// interaction id (the Discord coordinator's delivery ledger; a replay gets 409); the
// handler's response is the HTTP response (Discord waits 3 s for it; defer for longer work).
import type { APIInteraction } from 'discord-api-types/v10';
import { Hono } from 'hono';
import { EdgeshardError, ERROR_CODES } from '../../protocol/index.ts';
import { need } from '../config.ts';
import { createHandlerContext, type HandlerContext } from '../dispatch/context.ts';
import { webhookItem } from '../delivery/items.ts';
import { runOnce } from '../delivery/once.ts';
import type { Registry } from '../dispatch/registry.ts';
import { INTERACTION_TYPE } from '../interactions/constants.ts';
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

/** Runs the interaction's handler; a failure is logged with the event id and answered without its text. */
async function runInteraction(registry: Registry, interaction: APIInteraction, ctx: HandlerContext) {
  let outcome;
  try {
    outcome = await registry.interactions.route(interaction, ctx);
  } catch (err) {
    if (err instanceof EdgeshardError && err.code === ERROR_CODES.MALFORMED_PAYLOAD) throw err;
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
  return outcome;
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
      const id = `discord:interaction:${interaction.id}`;
      const ctx = createHandlerContext(
        c.env,
        { id, platform: 'discord', shard: null, type: 'INTERACTION_CREATE' },
        (p) => c.executionCtx.waitUntil(p),
      );
      // A PING runs no handler (PONG is the answer every time): no ledger call for Discord's endpoint probes.
      if (interaction.type === INTERACTION_TYPE.Ping)
        return c.json((await runInteraction(registry, interaction, ctx)).response);

      // The Discord coordinator's ledger runs an interaction's handler once. The run's failure is kept and
      // rethrown after runOnce, so its claim is released (a retry of a failed interaction may run it).
      let outcome: Awaited<ReturnType<typeof runInteraction>> | undefined;
      let failure: unknown;
      const results = await runOnce(c.env, {
        platform: 'discord',
        fence: null,
        events: [interaction],
        item: () => webhookItem(id),
        run: async () => {
          try {
            outcome = await runInteraction(registry, interaction, ctx);
            return [{ id, outcome: 'ack' }];
          } catch (err) {
            failure = err;
            return [{ id, outcome: 'retry', error: 'handler failed' }];
          }
        },
      });
      if (failure !== undefined) throw failure;
      if (outcome === undefined) {
        // Discord sends each interaction once and takes one response per interaction token, so a second
        // copy is a replay of a captured request: answering it would run the handler again, and its first
        // response is not kept (it may carry user data). 409 says what happened.
        throw new EdgeshardError(
          ERROR_CODES.ALREADY_HANDLED,
          results.get(id)?.outcome === 'ack'
            ? `interaction ${interaction.id} was already handled; Discord sends each interaction once, so this is a replay and its handler does not run again`
            : `interaction ${interaction.id} is being handled by another request right now; its handler does not run twice`,
        );
      }
      return c.json(outcome.response);
    },
  );

  return route;
}
