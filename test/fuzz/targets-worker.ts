// Fuzz targets for what reaches the Worker from outside: interaction bodies, QQ callback bodies and event
// batches, each signed the way the platform (or a host) signs them so the parsers behind the signature
// checks are reached, plus unsigned garbage on every route. Properties: every refusal is a 4xx with a
// code and a reason, and no handler runs for a refused request. Runs in workerd (test/workers/fuzz.test.ts).
import fc from 'fast-check';
import { signedHeaders } from '../../protocol/index.ts';
import { createApp } from '../../workers/app.ts';
import { onCommand, onComponent, onModal, onQQ, Registry } from '../../workers/dispatch/registry.ts';
import { toHex } from '../../workers/interactions/ed25519.ts';
import { qqKeyPair } from '../../workers/qq/keys.ts';
import { mutated, type FuzzTarget } from './harness.ts';

type Call = (path: string, init: RequestInit, bindings: object) => Promise<Response>;

export interface WorkerFuzzDeps {
  env: object;
  /** Runs the app on the request and waits for its waitUntil work. */
  call: (app: ReturnType<typeof createApp>, path: string, init: RequestInit, bindings: object) => Promise<Response>;
  signInteraction: (message: string) => Promise<string>;
  discordPublicKey: string;
  secret: string;
}

/** A refusal: 4xx, JSON `{error: {code, message}}` with both non-empty (the Discord-shaped /api/v10 aside). */
async function isReasonedRefusal(res: Response): Promise<boolean> {
  if (res.status < 400 || res.status > 499) return false;
  const body = (await res.json().catch(() => null)) as {
    error?: { code?: unknown; message?: unknown };
    message?: unknown;
  } | null;
  if (typeof body?.message === 'string' && body.message.length > 0) return true; // /api/v10 (Discord's shape)
  return (
    typeof body?.error?.code === 'string' && typeof body.error.message === 'string' && body.error.message.length > 0
  );
}

const snowflake = fc.bigInt({ min: 1n, max: 2n ** 63n }).map(String);
const option = fc.record({
  name: fc.string({ maxLength: 6 }),
  type: fc.integer({ min: 1, max: 11 }),
  value: fc.jsonValue({ maxDepth: 0 }),
});
const interactionData = fc.oneof(
  fc.record(
    {
      id: snowflake,
      name: fc.constantFrom('ping', 'x'),
      type: fc.integer({ min: 1, max: 3 }),
      options: fc.array(option, { maxLength: 2 }),
    },
    { requiredKeys: ['name'] },
  ),
  fc.record(
    {
      custom_id: fc.constantFrom('btn', 'btn:1', 'modal', 'z'),
      component_type: fc.integer({ min: 1, max: 8 }),
      values: fc.array(fc.string({ maxLength: 4 }), { maxLength: 2 }),
    },
    { requiredKeys: [] },
  ),
  fc.jsonValue({ maxDepth: 2 }),
);
const interaction = fc.record(
  {
    id: snowflake,
    application_id: snowflake,
    token: fc.string({ minLength: 1, maxLength: 10 }),
    version: fc.constant(1),
    type: fc.oneof(fc.integer({ min: 1, max: 5 }), fc.integer({ min: -1, max: 9 })),
    data: interactionData,
    channel_id: snowflake,
    guild_id: snowflake,
    member: fc.record({ user: fc.record({ id: snowflake, username: fc.string({ maxLength: 5 }) }) }),
  },
  { requiredKeys: ['id', 'application_id', 'token', 'type'] },
);

export function workerTargets(deps: WorkerFuzzDeps): FuzzTarget[] {
  const now = () => String(Math.floor(Date.now() / 1000));

  const interactions: FuzzTarget = {
    name: 'interaction body, signed (workers/routes/interactions.ts)',
    property: fc.asyncProperty(
      fc.oneof(interaction, mutated(interaction), fc.jsonValue({ maxDepth: 2 })),
      async (body) => {
        const ran: string[] = [];
        const registry = new Registry([
          onCommand({ name: 'ping', description: 'p' }, (_i, ctx) => (ran.push('ping'), ctx.reply('pong'))),
          onComponent('btn', (_i, ctx) => (ran.push('btn'), ctx.reply('ok'))),
          onModal('modal', (_i, ctx) => (ran.push('modal'), ctx.reply('ok'))),
        ]);
        const text = JSON.stringify(body);
        const timestamp = now();
        const res = await deps.call(
          createApp(registry),
          '/interactions',
          {
            method: 'POST',
            body: text,
            headers: {
              'x-signature-ed25519': await deps.signInteraction(timestamp + text),
              'x-signature-timestamp': timestamp,
            },
          },
          { ...deps.env, DISCORD_PUBLIC_KEY: deps.discordPublicKey },
        );
        if (res.status === 200) return true;
        return (await isReasonedRefusal(res)) && ran.length === 0;
      },
    ),
  };

  const QQ_SECRET = 'DG5g3B4j9X2KOErG';
  const qqPayload = fc.record(
    {
      id: fc.string({ maxLength: 12 }),
      op: fc.oneof(fc.constantFrom(0, 13), fc.integer({ min: -1, max: 14 })),
      t: fc.oneof(fc.constantFrom('GROUP_AT_MESSAGE_CREATE', 'C2C_MESSAGE_CREATE', 'X'), fc.jsonValue({ maxDepth: 0 })),
      d: fc.oneof(
        fc.record(
          { plain_token: fc.string({ maxLength: 6 }), event_ts: fc.string({ maxLength: 6 }) },
          { requiredKeys: [] },
        ),
        fc.record(
          {
            id: fc.string({ maxLength: 6 }),
            content: fc.string({ maxLength: 6 }),
            group_openid: fc.string({ maxLength: 4 }),
            author: fc.jsonValue({ maxDepth: 1 }),
          },
          { requiredKeys: [] },
        ),
        fc.jsonValue({ maxDepth: 2 }),
      ),
    },
    { requiredKeys: ['op'] },
  );
  const qq: FuzzTarget = {
    name: 'QQ callback body, signed (workers/routes/webhooks-qq.ts)',
    property: fc.asyncProperty(fc.oneof(qqPayload, mutated(qqPayload), fc.jsonValue({ maxDepth: 2 })), async (body) => {
      const ran: string[] = [];
      const registry = new Registry([
        onQQ('GROUP_AT_MESSAGE_CREATE', () => void ran.push('qq')),
        onQQ('C2C_MESSAGE_CREATE', () => void ran.push('qq')),
      ]);
      const text = JSON.stringify(body);
      const timestamp = now();
      const { privateKey } = await qqKeyPair(QQ_SECRET);
      const sig = toHex(
        await crypto.subtle.sign({ name: 'Ed25519' }, privateKey, new TextEncoder().encode(timestamp + text)),
      );
      const res = await deps.call(
        createApp(registry),
        '/webhooks/qq',
        { method: 'POST', body: text, headers: { 'x-signature-ed25519': sig, 'x-signature-timestamp': timestamp } },
        { ...deps.env, QQ_APP_SECRET: QQ_SECRET },
      );
      if (res.status === 200) return true;
      return (await isReasonedRefusal(res)) && ran.length === 0;
    }),
  };

  const envelope = fc.record({
    id: fc.string({ minLength: 1, maxLength: 12 }),
    platform: fc.constantFrom('discord', 'qq', 'x'),
    shard: fc.oneof(fc.constant(0), fc.integer({ min: -1, max: 3 })),
    session: fc.string({ maxLength: 4 }),
    seq: fc.oneof(fc.nat(), fc.integer(), fc.double()),
    type: fc.constantFrom('MESSAGE_CREATE', 'READY', ''),
    data: fc.jsonValue({ maxDepth: 2 }),
    receivedAt: fc.nat(),
  });
  // `epochs` names each event's shard (so some batches pass the parser), sometimes with a bad extra key.
  const batch = fc
    .record({
      v: fc.constantFrom(2, 2, 2, 1, 3),
      host: fc.constantFrom('fuzz-host', ''),
      epoch: fc.constantFrom(0, 0, 0, 1, -1),
      extra: fc.dictionary(fc.constantFrom('1', '-1', 'x'), fc.constantFrom(0, -1), { maxKeys: 1 }),
      events: fc.array(fc.oneof(envelope, mutated(envelope)), { maxLength: 4 }),
    })
    .map(({ epoch, extra, ...b }) => ({
      ...b,
      epochs: {
        ...Object.fromEntries(b.events.map((e) => [String((e as { shard?: unknown }).shard), epoch])),
        ...extra,
      },
    }));
  const events: FuzzTarget = {
    name: 'event batch, signed (workers/routes/events.ts)',
    property: fc.asyncProperty(fc.oneof(batch, mutated(batch), fc.jsonValue({ maxDepth: 2 })), async (body) => {
      const text = JSON.stringify(body);
      const res = await deps.call(
        createApp(new Registry([])),
        '/events',
        {
          method: 'POST',
          body: text,
          headers: { ...(await signedHeaders(deps.secret, text)), 'content-type': 'application/json' },
        },
        deps.env,
      );
      // Another version: 503 batch_version (the host keeps its events), never for a version 2 object.
      const otherVersion =
        typeof body === 'object' &&
        body !== null &&
        !Array.isArray(body) &&
        typeof (body as { v?: unknown }).v === 'number' &&
        (body as { v?: unknown }).v !== 2;
      if (res.status === 503) {
        const json = (await res.json().catch(() => null)) as { error?: { code?: unknown } } | null;
        return otherVersion && json?.error?.code === 'batch_version';
      }
      return res.status === 200 || (await isReasonedRefusal(res));
    }),
  };

  const garbage: FuzzTarget = {
    name: 'unsigned requests on every route (workers/app.ts)',
    property: fc.asyncProperty(
      fc.constantFrom(
        '/events',
        '/interactions',
        '/webhooks/qq',
        '/coordinator/connect',
        '/status',
        '/status.json',
        '/api/v10/users/@me',
        '/nope',
      ),
      fc.constantFrom('GET', 'POST', 'PUT'),
      fc.dictionary(
        fc.constantFrom(
          'x-signature-ed25519',
          'x-signature-timestamp',
          'x-edgeshard-signature',
          'x-edgeshard-timestamp',
          'x-edgeshard-host',
          'x-edgeshard-nonce',
          'authorization',
          'cookie',
          'content-length',
          'x-bot-appid',
          'upgrade',
        ),
        fc.oneof(
          fc.string({ maxLength: 20 }).filter((s) => /^[\x20-\x7e]*$/.test(s)),
          fc.constantFrom('websocket', '0', '99999999', 'Bot x', '1700000000'),
        ),
        { maxKeys: 5 },
      ),
      fc.string({ maxLength: 40 }),
      async (path, method, headers, body) => {
        const init: RequestInit = {
          method,
          headers: { ...headers, 'content-length': String(new TextEncoder().encode(body).length) },
        };
        if (method !== 'GET') init.body = body;
        const res = await deps.call(createApp(new Registry([])), path, init, {
          ...deps.env,
          DISCORD_PUBLIC_KEY: deps.discordPublicKey,
          QQ_APP_SECRET: QQ_SECRET,
          EDGESHARD_STATUS_TOKEN: 'status-token-0123456789',
        });
        return isReasonedRefusal(res);
      },
    ),
  };

  return [interactions, qq, events, garbage];
}

export type { Call };
