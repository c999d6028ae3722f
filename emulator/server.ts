// startEmulator: the composition root of the emulator. One HTTP server carries the REST API (/api/v10), the
// control API (/_emulator) and the gateway WebSockets (/gateway, /resume).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createControlHandler, CONTROL_PREFIX } from './control.ts';
import type { EmulatorCore, EmulatorUrls } from './core.ts';
import { createCounters, snapshot } from './counters.ts';
import { Blaster } from './gateway/blast.ts';
import { filterCommands } from './gateway/commands.ts';
import { GatewayHub } from './gateway/hub.ts';
import { shardControl } from './gateway/shard-control.ts';
import { attachGateway } from './gateway/upgrade.ts';
import { sendJson } from './http.ts';
import { resolveOptions, type EmulatorOptions } from './options.ts';
import { say } from './publish.ts';
import { API_PREFIX, createRestHandler } from './rest/router.ts';
import { SnowflakeGenerator } from './snowflake.ts';
import { TrafficGenerator } from './traffic.ts';
import type { Emulator } from './types.ts';
import { buildWorld, WorldIndex } from './world.ts';
import { createPlatformWebhooks, type WebhookOptions } from './interactions/mount.ts';
import { QQ_PREFIX } from './qq/api.ts';
import { ROUTES } from './rest/routes.ts';

/** GET /attachments/{id}/{filename}: an uploaded file's bytes, like Discord's CDN URL of an attachment. */
function serveUpload(core: EmulatorCore, res: ServerResponse, path: string): void {
  const upload = core.uploads.get(path.split('/')[2] ?? '');
  if (!upload) return sendJson(res, 404, { message: '404: Not Found', code: 0 });
  res.writeHead(200, { 'Content-Type': upload.contentType, 'Content-Length': upload.bytes.byteLength });
  res.end(upload.bytes);
}

export async function startEmulator(input: EmulatorOptions & WebhookOptions = {}): Promise<Emulator> {
  const options = resolveOptions(input);
  const counters = createCounters(options.sessionStartTotal);
  const index = new WorldIndex(
    buildWorld({
      seed: options.seed,
      guilds: options.guilds,
      channelsPerGuild: options.channelsPerGuild,
      users: options.users,
    }),
  );
  let urls: EmulatorUrls | undefined;
  const getUrls = (): EmulatorUrls => {
    if (!urls) throw new Error('emulator is not listening yet');
    return urls;
  };
  const hub = new GatewayHub({ options, counters, index, resumeGatewayUrl: () => getUrls().resumeGatewayUrl });
  const core: EmulatorCore = {
    options,
    counters,
    index,
    hub,
    ids: new SnowflakeGenerator(),
    sentMessages: [],
    urls: getUrls,
    uploads: new Map(),
    auditLog: [],
  };
  const traffic = new TrafficGenerator(core);
  const blaster = new Blaster(hub, index);

  let emulator: Emulator | undefined;
  const webhooks = createPlatformWebhooks(core, input);
  const rest = createRestHandler(core, [...webhooks.restRoutes, ...ROUTES]);
  const control = createControlHandler(() => emulator as Emulator);
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://emulator');
    const path = url.pathname;
    const handled = path.startsWith(`${API_PREFIX}/`)
      ? rest(req, res, path.slice(API_PREFIX.length))
      : path.startsWith(`${CONTROL_PREFIX}/`)
        ? webhooks
            .control(req, res, path.slice(CONTROL_PREFIX.length))
            .then((done) => (done ? undefined : control(req, res, path.slice(CONTROL_PREFIX.length), url.searchParams)))
        : path.startsWith(`${QQ_PREFIX}/`)
          ? webhooks.qqApi(req, res, path.slice(QQ_PREFIX.length))
          : path.startsWith('/attachments/')
            ? Promise.resolve(serveUpload(core, res, path))
            : Promise.resolve(sendJson(res, 404, { message: '404: Not Found', code: 0 }));
    handled.catch((err: unknown) => {
      process.stderr.write(
        `${JSON.stringify({ level: 'error', msg: 'emulator request failed', error: String(err) })}\n`,
      );
      if (!res.headersSent) sendJson(res, 500, { message: '500: Internal Server Error', code: 0 });
      else res.destroy();
    });
  });
  const gateway = attachGateway(server, hub);

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  urls = {
    url: `http://${host}:${port}`,
    apiUrl: `http://${host}:${port}${API_PREFIX}`,
    gatewayUrl: `ws://${host}:${port}/gateway`,
    resumeGatewayUrl: `ws://${host}:${port}/resume`,
  };
  webhooks.qqGateway.attach(server, urls.url);
  if (options.messageRate > 0) traffic.setRate(options.messageRate);

  let closing: Promise<void> | undefined;
  emulator = {
    url: urls.url,
    apiUrl: urls.apiUrl,
    gatewayUrl: urls.gatewayUrl,
    token: options.token,
    world: index.world,
    counters: () => {
      counters.sessionStartRemaining = hub.gate.remaining;
      return snapshot(counters);
    },
    say: (message) => say(core, message),
    setMessageRate: (rate) => traffic.setRate(rate),
    sentMessages: () => [...core.sentMessages],
    auditLog: () => [...core.auditLog],
    dispatched: (type) =>
      (type === undefined ? hub.records : hub.records.filter((r) => r.type === type)).map((r) => ({ ...r })),
    commands: (filter) => filterCommands(hub.commands, filter),
    shardControl: (shard) => shardControl(hub, shard),
    webhooks: webhooks.info,
    blast: (options) => blaster.start(options),
    stopBlast: () => (blaster.stop(), blaster.stats()),
    blastStats: () => blaster.stats(),
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        traffic.stop();
        blaster.stop();
        hub.dispose();
        gateway.close();
        webhooks.qqGateway.close();
        server.closeAllConnections();
        server.close(() => resolve());
      })),
  };
  return emulator;
}
