// The real Worker plus one observing handler that reports every MESSAGE_CREATE it handles to the test's
// ledger, so the test can check delivery by id, one test-only command (/e2e-defer) that exercises the
// deferred-reply helpers, and gateway-command probes (below). Nothing of ours is replaced. `buildApp` lets a generated entry add handlers (the
// reload test's rewritable module, test/e2e/reload-entry.ts).
import { createApp } from '../../workers/app.ts';
import { onCommand, onDiscord, onQQ, Registry, type HandlerDefinition } from '../../workers/dispatch/registry.ts';
import { handlers } from '../../workers/handlers/index.ts';
import { DiscordApiError } from '../../workers/rest/errors.ts';
import { restClient } from '../../workers/rest/stub.ts';

export { ShardCoordinator } from '../../workers/durable-objects/coordinator.ts';
export { RestProxy } from '../../workers/durable-objects/rest-proxy.ts';

const ledger = onDiscord('MESSAGE_CREATE', async (message, ctx) => {
  const url = (ctx.env as unknown as { LEDGER_URL: string }).LEDGER_URL;
  const res = await fetch(url, {
    method: 'POST',
    body: JSON.stringify({ eventId: ctx.event.id, messageId: message.id, shard: ctx.event.shard }),
  });
  if (!res.ok) throw new Error(`ledger answered ${res.status}`);
});

// Gateway commands across processes (coordinator-commands.test.ts): `e2e:gateway <guild id> <command JSON>`
// sends the command for that guild and reports the outcome; every GUILD_MEMBERS_CHUNK is reported too.
const report = async (env: unknown, entry: Record<string, unknown>) => {
  const res = await fetch((env as { LEDGER_URL: string }).LEDGER_URL, { method: 'POST', body: JSON.stringify(entry) });
  if (!res.ok) throw new Error(`ledger answered ${res.status}`);
};

const gatewayCommand = onDiscord('MESSAGE_CREATE', async (message, ctx) => {
  const match = /^e2e:gateway (\d+) (.+)$/s.exec(message.content);
  if (!match) return;
  let outcome = 'sent';
  try {
    await ctx.gateway.send(match[1]!, JSON.parse(match[2]!) as Parameters<typeof ctx.gateway.send>[1]);
  } catch (err) {
    outcome = (err as { code?: string }).code ?? String(err);
  }
  await report(ctx.env, { eventId: ctx.event.id, messageId: `gateway:${message.id}`, shard: ctx.event.shard, outcome });
});

const membersChunk = onDiscord('GUILD_MEMBERS_CHUNK', (chunk, ctx) =>
  report(ctx.env, {
    eventId: ctx.event.id,
    messageId: `chunk:${chunk.nonce ?? ''}`,
    shard: ctx.event.shard,
    guildId: chunk.guild_id,
    members: chunk.members.map((m) => m.user.username),
  }),
);

// Poison events (poison.test.ts): `!poison` throws until the test sets the ledger's `poison` flag to
// `healed`; then it reports itself, so the test can count how often a replay ran it.
class PoisonError extends Error {
  override name = 'PoisonError';
}

const poison = onDiscord('MESSAGE_CREATE', async (message, ctx) => {
  if (message.content !== '!poison') return;
  const url = (ctx.env as unknown as { LEDGER_URL: string }).LEDGER_URL;
  const flag = await (await fetch(`${url}flags/poison`)).text();
  if (flag !== 'healed') throw new PoisonError('the e2e poison handler fails until the test heals it');
  await report(ctx.env, { eventId: ctx.event.id, messageId: `poison:${message.id}`, shard: ctx.event.shard });
});

// QQ (qq-gateway.test.ts): every group @-message handled, with how it arrived (a shard's batch or the
// webhook), so the test counts handler runs rather than replies (QQ refuses a repeated passive reply).
const qqLedger = onQQ('GROUP_AT_MESSAGE_CREATE', (message, ctx) =>
  report(ctx.env, {
    eventId: ctx.event.id,
    messageId: `qq:${message.id}`,
    shard: ctx.event.shard,
    via: ctx.event.shard === null ? 'webhook' : 'websocket',
  }),
);

const deferred = onCommand(
  { name: 'e2e-defer', description: 'deferred reply, edit and follow-up' },
  (_interaction, ctx) =>
    ctx.defer(async () => {
      await ctx.editReply('deferred done');
      await ctx.followUp('follow-up');
    }),
);

export function buildApp(extra: HandlerDefinition[] = []) {
  return createApp(
    new Registry([...handlers, ledger, deferred, gatewayCommand, membersChunk, poison, qqLedger, ...extra]),
  );
}

const app = buildApp();
// Benchmark only (bench/rest.ts, "handler client"): one REST call made the way a handler makes it, through
// DiscordRest (ctx.rest / ctx.api) and the REST proxy DO; answers the upstream status.
app.post('/_bench/handler-call', async (c) => {
  const call = await c.req.json<{ method: string; path: string; body?: unknown }>();
  const rest = restClient(c.env);
  const status = await rest.send(call.method, call.path, call.body === undefined ? {} : { body: call.body }).then(
    () => 200,
    (err: unknown) => (err instanceof DiscordApiError ? err.status : 0),
  );
  return c.json({ status });
});

export default app;
