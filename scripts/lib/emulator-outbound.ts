// Lets tests running inside workerd (the `workers` vitest project) reach real emulators: Miniflare's
// outboundService hands every fetch the Worker makes to `emulatorOutbound`, which forwards requests for
// `<preset>.emulator.test` to an emulator started lazily in this Node process with that preset's options.
// No fake Discord: the same emulator the e2e tests and benchmarks use.
import { startEmulator, type Emulator, type EmulatorOptions } from '../../emulator/index.ts';
import { outboundEmulators } from './outbound-emulators.ts';
import type { WebhookOptions } from '../../emulator/interactions/mount.ts';

/** Emulator option presets by host name; tests address them as http://<name>.emulator.test/api/v10. */
export const EMULATOR_PRESETS: Record<string, EmulatorOptions & WebhookOptions> = {
  // Discord's numbers, compressed tenfold in time so a burst test takes seconds.
  rest: {
    token: 'test-token',
    messageLimit: { limit: 5, windowMs: 500 },
    restLimits: { 'PATCH /channels/:channel_id': { sharedLimit: 1, sharedWindowMs: 400 } },
  },
  // A second, untouched instance for tests that count the emulator's totals.
  guard: { token: 'test-token' },
  wire: { token: 'test-token' },
  // QQ Bot: a fixed app so the Worker's QQ_APP_ID / QQ_APP_SECRET bindings match (test/workers/qq-*.test.ts).
  qq: { qqAppId: '102000001', qqAppSecret: 'qq-test-secret-0123456789abcdefgh' },
};

const started = outboundEmulators() as Map<string, Promise<Emulator>>;

function emulatorFor(name: string): Promise<Emulator> {
  let emulator = started.get(name);
  if (!emulator) {
    const preset = EMULATOR_PRESETS[name];
    if (!preset) throw new Error(`no emulator preset "${name}" (known: ${Object.keys(EMULATOR_PRESETS).join(', ')})`);
    emulator = startEmulator({ ...preset, port: 0 });
    started.set(name, emulator);
  }
  return emulator;
}

export async function emulatorOutbound(request: Request): Promise<Response> {
  const url = new URL(request.url);
  const match = /^([a-z0-9-]+)\.emulator\.test$/.exec(url.hostname);
  if (!match) return fetch(request);
  const emulator = await emulatorFor(match[1]!);
  const target = new URL(url.pathname + url.search, emulator.url);
  const body = request.method === 'GET' || request.method === 'HEAD' ? undefined : await request.arrayBuffer();
  const res = await fetch(target, {
    method: request.method,
    headers: request.headers,
    ...(body ? { body } : {}),
    redirect: 'manual',
  });
  return new Response(res.status === 204 ? null : await res.arrayBuffer(), {
    status: res.status,
    headers: res.headers,
  });
}
