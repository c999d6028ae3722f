// Composes the emulator's webhook platforms: Discord HTTP interactions (a key pair per run, REST rows for
// callbacks, follow-ups and commands) and QQ Bot (token endpoint, OpenAPI, signed callbacks). server.ts
// mounts what this returns.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EmulatorCore } from '../core.ts';
import { createQQApi } from '../qq/api.ts';
import { createQQControl } from '../qq/control.ts';
import { QQGateway } from '../qq/gateway.ts';
import { QQState } from '../qq/state.ts';
import { ROUTES, type RouteDef } from '../rest/routes.ts';
import { createInteractionControl } from './control.ts';
import { WebhookTarget } from './deliver.ts';
import { generateSigningKey } from './keys.ts';
import { interactionRoutes } from './routes.ts';
import type { InteractionsDeps } from './send.ts';
import { InteractionStore } from './store.ts';

export interface WebhookOptions {
  /** The Worker's base URL; interactions go to {url}/interactions, QQ callbacks to {url}/webhooks/qq. */
  workerUrl?: string;
  qqAppId?: string;
  /** Generated per run when absent. */
  qqAppSecret?: string;
  /** QQ's recommended shard count in GET /gateway/bot (default 1). */
  qqShards?: number;
  /** Lifetime of QQ access tokens (default 7200 s, as QQ's). */
  qqTokenTtlSeconds?: number;
  /** QQ intents this bot may not subscribe to (Identify closes with 4014). */
  qqDisallowedIntents?: number;
}

/** What a bot's Worker needs to trust and call this emulator (printed on the ready line). */
export interface WebhookInfo {
  discordPublicKey: string;
  applicationId: string;
  qqAppId: string;
  qqAppSecret: string;
  workerUrl: string | undefined;
}

export interface PlatformWebhooks {
  restRoutes: RouteDef[];
  /** Serves /qq/... (token endpoint and OpenAPI); `path` is below /qq. */
  qqApi(req: IncomingMessage, res: ServerResponse, path: string): Promise<void>;
  /** Serves its /_emulator routes; false when `path` is not one of them. */
  control(req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean>;
  info(): WebhookInfo;
  interactions: InteractionsDeps;
  qq: QQState;
  qqGateway: QQGateway;
  target: WebhookTarget;
}

export function createPlatformWebhooks(core: EmulatorCore, options: WebhookOptions): PlatformWebhooks {
  const target = new WebhookTarget(options.workerUrl);
  const interactions: InteractionsDeps = { core, store: new InteractionStore(), key: generateSigningKey(), target };
  const qq = new QQState({
    seed: core.options.seed,
    ...(options.qqAppId ? { appId: options.qqAppId } : {}),
    ...(options.qqAppSecret ? { appSecret: options.qqAppSecret } : {}),
    ...(options.qqTokenTtlSeconds ? { tokenTtlSeconds: options.qqTokenTtlSeconds } : {}),
  });
  const o = core.options;
  const qqGateway = new QQGateway(qq, {
    heartbeatIntervalMs: o.heartbeatIntervalMs,
    shards: options.qqShards ?? 1,
    maxConcurrency: o.maxConcurrency,
    identifyWindowMs: o.identifyWindowMs,
    sessionStartTotal: o.sessionStartTotal,
    sessionTimeoutMs: o.sessionTimeoutMs,
    resumeBufferSize: o.resumeBufferSize,
    disallowedIntents: options.qqDisallowedIntents ?? 0,
  });
  const interactionControl = createInteractionControl(interactions, target);
  const qqControl = createQQControl({ state: qq, target, gateway: qqGateway });
  return {
    restRoutes: interactionRoutes(interactions, ROUTES),
    qqApi: createQQApi(qq, qqGateway),
    control: async (req, res, path) => (await interactionControl(req, res, path)) || qqControl(req, res, path),
    info: () => ({
      discordPublicKey: interactions.key.publicKeyHex,
      applicationId: core.index.world.application.id,
      qqAppId: qq.appId,
      qqAppSecret: qq.appSecret,
      workerUrl: target.url,
    }),
    interactions,
    qq,
    qqGateway,
    target,
  };
}
