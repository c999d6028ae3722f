// Fuzz targets for the parsers that run in Node (and in both places, for protocol/): event batches,
// gateway frames after inflate, lease-protocol messages, egress envelopes and answers, host configuration.
import fc from 'fast-check';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEgressRequest, parseEgressResponse } from '../../protocol/egress.ts';
import {
  EdgeshardError,
  ERROR_CODES,
  gatewayUrlRefusal,
  MAX_BATCH_EVENTS,
  parseCoordinatorMessage,
  parseEventBatch,
  parseHostMessage,
  PROTOCOL_VERSION,
} from '../../protocol/index.ts';
import { CONFIG_NAMES, loadConfig } from '../../shard-host/config.ts';
import { handle } from '../../shard-host/gateway/protocol.ts';
import { rawData } from '../../shard-host/gateway/raw-data.ts';
import { mutated, refusedOrParsed, type FuzzTarget } from './harness.ts';

const int = fc.oneof(fc.integer({ min: -2, max: 5 }), fc.integer(), fc.double(), fc.constant(2 ** 60));
const envelope = fc.record({
  id: fc.string({ maxLength: 20 }),
  platform: fc.constantFrom('discord', 'qq', 'slack'),
  shard: int,
  session: fc.string({ maxLength: 8 }),
  seq: int,
  type: fc.string({ maxLength: 12 }),
  data: fc.jsonValue({ maxDepth: 2 }),
  receivedAt: int,
});
/** A batch whose `epochs` names each event's shard (so some are accepted), plus keys of any shape. */
const batch = fc
  .record({
    v: fc.constantFrom(2, 2, 1, 3, '2'),
    host: fc.string({ maxLength: 8 }),
    epoch: int,
    extra: fc.dictionary(fc.constantFrom('0', '3', '-1', '01', 'x', '1e3', ''), int, { maxKeys: 2 }),
    events: fc.array(fc.oneof(envelope, mutated(envelope)), { maxLength: 5 }),
  })
  .map(({ epoch, extra, ...b }) => ({
    ...b,
    epochs: { ...Object.fromEntries(b.events.map((e) => [String((e as { shard?: unknown }).shard), epoch])), ...extra },
  }));

const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

const eventBatches: FuzzTarget = {
  name: 'event batch (protocol/events.ts parseEventBatch)',
  property: fc.property(fc.oneof(batch, mutated(batch), fc.jsonValue()), (input) => {
    // An object of another version is refused for its version (503 at the Worker), anything else as malformed.
    const otherVersion = isRecord(input) && typeof input.v === 'number' && input.v !== PROTOCOL_VERSION;
    const r = refusedOrParsed(
      () => parseEventBatch(input),
      otherVersion ? ERROR_CODES.BATCH_VERSION : ERROR_CODES.MALFORMED_BATCH,
    );
    if (!r.ok) return true;
    // Accepted: every bound holds, and every event's shard has a lease epoch.
    const b = r.value;
    return (
      b.events.length <= MAX_BATCH_EVENTS &&
      Object.values(b.epochs).every((e) => Number.isSafeInteger(e) && e >= 0) &&
      b.events.every(
        (e) =>
          Number.isSafeInteger(e.seq) &&
          e.seq >= 0 &&
          Number.isSafeInteger(e.shard) &&
          e.shard >= 0 &&
          Number.isSafeInteger(b.epochs[String(e.shard)]),
      )
    );
  }),
};

const ACTIONS = new Set([
  'dispatch',
  'hello',
  'heartbeat',
  'heartbeat-ack',
  'ready',
  'resumed',
  'reconnect',
  'fatal',
  'ignore',
]);
const frame = fc.record(
  {
    op: fc.oneof(fc.constantFrom(0, 1, 7, 9, 10, 11), int, fc.string({ maxLength: 3 })),
    s: fc.oneof(int, fc.constant(null)),
    t: fc.oneof(fc.constantFrom('READY', 'RESUMED', 'MESSAGE_CREATE'), fc.string({ maxLength: 8 }), fc.constant(null)),
    d: fc.oneof(
      fc.jsonValue({ maxDepth: 2 }),
      fc.record({ session_id: fc.jsonValue({ maxDepth: 0 }), resume_gateway_url: fc.jsonValue({ maxDepth: 0 }) }),
      fc.record({ heartbeat_interval: fc.jsonValue({ maxDepth: 0 }) }),
    ),
  },
  { requiredKeys: [] },
);

const gatewayFrames: FuzzTarget = {
  name: 'gateway frame after inflate (shard-host/gateway/protocol.ts handle)',
  property: fc.property(fc.oneof(frame, fc.jsonValue()), fc.double({ min: 0, max: 0.999 }), (payload, random) => {
    const text = JSON.stringify(payload) ?? 'null';
    const actions = handle(JSON.parse(text) as never, { random: () => random });
    return actions.every(
      (a) =>
        ACTIONS.has(a.type) &&
        (a.type !== 'dispatch' || (Number.isSafeInteger(a.seq) && a.seq >= 0)) &&
        (a.type !== 'hello' || a.intervalMs > 0),
    );
  }),
};

/** JSON text with the layouts JSON.stringify never makes: spaces, key order, escapes. */
const spaced = fc
  .tuple(
    fc.dictionary(fc.constantFrom('d', 'op', 's', 't', 'x', 'd\\u0064'), fc.jsonValue({ maxDepth: 2 })),
    fc.constantFrom('', ' ', '\n  '),
  )
  .map(
    ([obj, ws]) =>
      `{${ws}${Object.entries(obj)
        .map(([k, v]) => `"${k}"${ws}:${ws}${JSON.stringify(v)}`)
        .join(`,${ws}`)}${ws}}`,
  );

const rawDataSpans: FuzzTarget = {
  name: 'gateway frame raw d (shard-host/gateway/raw-data.ts rawData)',
  property: fc.property(fc.oneof(spaced, fc.json(), fc.string({ maxLength: 30 })), (text) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return true; // only called on text JSON.parse accepted
    }
    const raw = rawData(text);
    if (raw === null) return true; // in doubt: the caller re-serialises
    const d = (parsed as { d?: unknown }).d;
    return JSON.stringify(JSON.parse(raw)) === JSON.stringify(d);
  }),
};

const TRUSTED = 'ws://127.0.0.1:8787';
const url = fc.oneof(
  fc.constantFrom(
    'wss://gateway.discord.gg',
    'wss://gateway-us-east1-b.discord.gg',
    `${TRUSTED}/resume`,
    'wss://evil.example',
    'x',
  ),
  fc.webUrl(),
  fc.string({ maxLength: 20 }),
);
const session = fc.oneof(
  fc.constant(null),
  fc.record({ sessionId: fc.string({ maxLength: 6 }), resumeUrl: url, seq: int }),
);
const report = fc.record({
  shard: int,
  epoch: int,
  state: fc.constantFrom('ready', 'idle'),
  session,
  latencyMs: fc.oneof(fc.constant(null), fc.double()),
  guilds: fc.oneof(fc.constant(null), int),
  lastEventAgeMs: fc.oneof(fc.constant(null), int),
});
const hostMessage = fc.oneof(
  fc.record({
    v: fc.constantFrom(1, 2),
    type: fc.constant('hello'),
    id: int,
    capacity: int,
    shardCount: int,
    gateway: fc.record({
      maxConcurrency: int,
      sessionStartTotal: int,
      sessionStartRemaining: int,
      sessionStartResetAfterMs: int,
    }),
    shards: fc.array(fc.oneof(report, mutated(report)), { maxLength: 3 }),
  }),
  fc.record({ v: fc.constant(1), type: fc.constant('renew'), id: int, shards: fc.array(report, { maxLength: 3 }) }),
  fc.record({
    v: fc.constant(1),
    type: fc.constant('released'),
    shard: int,
    epoch: int,
    session,
    reason: fc.jsonValue({ maxDepth: 0 }),
  }),
  fc.record({
    v: fc.constant(1),
    type: fc.constantFrom('identify', 'answered', 'bye', 'nope'),
    id: int,
    shard: int,
    epoch: int,
  }),
);

const sessionsOf = (m: unknown): { resumeUrl: string }[] => {
  const x = m as { session?: { resumeUrl: string } | null; shards?: { session: { resumeUrl: string } | null }[] };
  return [x.session, ...(x.shards ?? []).map((s) => s.session)].filter((s): s is { resumeUrl: string } => !!s);
};

const hostMessages: FuzzTarget = {
  name: 'lease host message (protocol/lease.ts parseHostMessage)',
  property: fc.property(
    fc.oneof(hostMessage, mutated(fc.constant({ v: 1, type: 'renew', id: 1, shards: [] })), fc.jsonValue()),
    (input) => {
      const r = refusedOrParsed(() => parseHostMessage(input, [TRUSTED]), ERROR_CODES.LEASE_PROTOCOL);
      // Accepted: no session can send a token anywhere but a trusted gateway.
      return !r.ok || sessionsOf(r.value).every((s) => gatewayUrlRefusal(s.resumeUrl, [TRUSTED]) === undefined);
    },
  ),
};

const coordinatorMessage = fc.record(
  {
    v: fc.constantFrom(1, 2),
    type: fc.constantFrom(
      'welcome',
      'renewed',
      'assign',
      'revoke',
      'identify-grant',
      'identify-wait',
      'command',
      'error',
      'x',
    ),
    id: int,
    shard: int,
    epoch: int,
    shardCount: int,
    leaseTtlMs: int,
    renewEveryMs: int,
    waitMs: int,
    retryAfterMs: int,
    reason: fc.constantFrom('rebalance', 'stale', 'x'),
    session,
    payload: fc.oneof(fc.record({ op: int, d: fc.jsonValue({ maxDepth: 1 }) }), fc.jsonValue({ maxDepth: 1 })),
  },
  { requiredKeys: ['v', 'type'] },
);

const coordinatorMessages: FuzzTarget = {
  name: 'lease coordinator message (protocol/lease.ts parseCoordinatorMessage)',
  property: fc.property(fc.oneof(coordinatorMessage, fc.jsonValue()), (input) => {
    refusedOrParsed(() => parseCoordinatorMessage(input), ERROR_CODES.LEASE_PROTOCOL);
    return true;
  }),
};

const b64 = fc.uint8Array({ maxLength: 20 }).map((b) => btoa(String.fromCharCode(...b)));
const egressRequest = fc.record(
  {
    v: fc.constantFrom(1, 2),
    id: fc.string({ maxLength: 40 }),
    method: fc.constantFrom('GET', 'POST', 'get', ''),
    url: url,
    headers: fc.oneof(
      fc.dictionary(fc.string({ maxLength: 6 }), fc.string({ maxLength: 6 })),
      fc.jsonValue({ maxDepth: 1 }),
    ),
    body: fc.oneof(b64, fc.string({ maxLength: 10 })),
    inject: fc.constantFrom('discord-bot', 'qq-app', 'other'),
  },
  { requiredKeys: [] },
);

const egressEnvelopes: FuzzTarget = {
  name: 'egress envelope (protocol/egress.ts parseEgressRequest)',
  property: fc.property(fc.oneof(egressRequest, fc.jsonValue()), (input) => {
    const r = parseEgressRequest(input);
    if (typeof r === 'string') return r.length > 0;
    return (
      typeof r.url === 'string' &&
      Object.values(r.headers).every((v) => typeof v === 'string') &&
      (r.inject === undefined || r.inject === 'discord-bot' || r.inject === 'qq-app')
    );
  }),
};

const egressAnswer = fc.record(
  {
    v: fc.constantFrom(1, 2),
    id: fc.string({ maxLength: 10 }),
    status: fc.oneof(fc.integer({ min: 0, max: 700 }), fc.double()),
    headers: fc.oneof(
      fc.dictionary(fc.string({ maxLength: 6 }), fc.string({ maxLength: 6 })),
      fc.jsonValue({ maxDepth: 1 }),
    ),
    body: fc.oneof(b64, fc.string({ maxLength: 10 })),
  },
  { requiredKeys: [] },
);

const egressAnswers: FuzzTarget = {
  name: 'egress answer (protocol/egress.ts parseEgressResponse)',
  property: fc.property(fc.oneof(egressAnswer, fc.jsonValue()), (input) => {
    const r = parseEgressResponse(input);
    if (typeof r === 'string') return r.length > 0;
    return r.status >= 100 && r.status <= 599 && (() => (atob(r.body), true))();
  }),
};

const noDotEnv = join(mkdtempSync(join(tmpdir(), 'edgeshard-fuzz-')), 'absent.env');
const names = Object.keys(CONFIG_NAMES);
const configValue = fc.oneof(
  fc.constantFrom(
    '',
    '0',
    '-1',
    '1',
    '16',
    'on',
    'off',
    'zlib-stream',
    'none',
    '0-3',
    '1,2,x',
    'http://127.0.0.1:8787',
    'x'.repeat(20),
  ),
  fc.string({ maxLength: 24 }),
);

const hostConfig: FuzzTarget = {
  name: 'host configuration (shard-host/config.ts loadConfig)',
  property: fc.property(fc.dictionary(fc.constantFrom(...names), configValue, { maxKeys: 8 }), (overrides) => {
    const env = { DISCORD_TOKEN: 'token', EDGESHARD_SECRET: 'a-secret-of-16-chars', ...overrides };
    try {
      const config = loadConfig([], env, noDotEnv);
      return config.secret.length >= 16 && config.batchMaxEvents <= MAX_BATCH_EVENTS;
    } catch (err) {
      if (err instanceof EdgeshardError && err.code === ERROR_CODES.CONFIG_INVALID) return true;
      throw err;
    }
  }),
};

export const NODE_TARGETS: FuzzTarget[] = [
  eventBatches,
  gatewayFrames,
  rawDataSpans,
  hostMessages,
  coordinatorMessages,
  egressEnvelopes,
  egressAnswers,
  hostConfig,
];
