// What a handler gets besides its payload. Every entry point (gateway batches, Discord interactions, QQ
// callbacks) builds it here, so handlers see one shape whatever delivered the event.
import type { GatewayRequestGuildMembers, GatewayUpdatePresence, GatewayVoiceStateUpdate } from 'discord-api-types/v10';
import { EdgeshardError, ERROR_CODES, type Platform } from '../../protocol/index.ts';
import { coordinatorGateway } from '../coordinator/gateway.ts';
import type { Env } from '../env.ts';
import type { QQOpenApi } from '../qq/client.ts';
import { qqClient } from '../qq/stub.ts';
import { discordApi, type API } from '../rest/api.ts';
import type { DiscordRest } from '../rest/client.ts';
import { restClient } from '../rest/stub.ts';

export interface HandlerLogger {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

/** Gateway commands a handler may send (Discord docs, Topics > Gateway Events > Send Events). */
export type SendableGatewayCommand = GatewayUpdatePresence | GatewayRequestGuildMembers | GatewayVoiceStateUpdate;

export interface GatewayCommands {
  /** Sends a gateway command to the shard that owns `guildId` (through the coordinator to its host). */
  send(guildId: string, command: SendableGatewayCommand): Promise<void>;
}

/** Which event a handler is running for. */
export interface EventMeta {
  /** Stable id: `discord:{shard}:{session}:{seq}` (gateway), `discord:interaction:{id}`, `qq:{event id}`. */
  id: string;
  platform: Platform;
  /** The shard that received it; null for webhooks (interactions, QQ callbacks), which reach the Worker directly. */
  shard: number | null;
  /** Dispatch name, e.g. MESSAGE_CREATE, INTERACTION_CREATE, GROUP_AT_MESSAGE_CREATE. */
  type: string;
}

export interface HandlerContext {
  env: Env;
  event: EventMeta;
  log: HandlerLogger;
  waitUntil(promise: Promise<unknown>): void;
  /**
   * The whole Discord API, typed (@discordjs/core's groups: `api.channels.createMessage`, `api.guilds.…`,
   * `api.interactions.reply`, …), each call through the REST proxy Durable Object. Files go as `files`,
   * audit-log reasons as `{ reason }`. Discord's refusals throw DiscordApiError (its JSON error code).
   */
  api: API;
  /** The client under `api`: shortcuts (createMessage, …), `request(method, path, body)`, `get/post/…`. */
  rest: DiscordRest;
  /** QQ OpenAPI; throws a configuration error on first use when QQ_APP_ID / QQ_APP_SECRET are unset. */
  readonly qq: QQOpenApi;
  gateway: GatewayCommands;
}

export function consoleLogger(fields: Record<string, unknown>): HandlerLogger {
  const emit = (level: string, msg: string, extra?: Record<string, unknown>) =>
    console.log(JSON.stringify({ level, msg, ...fields, ...extra }));
  return {
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
  };
}

/** Until the coordinator routes commands to hosts, sending fails loudly instead of silently. */
export const unavailableGateway: GatewayCommands = {
  send(_guildId, command) {
    return Promise.reject(
      new EdgeshardError(
        ERROR_CODES.NOT_AVAILABLE,
        `gateway command op ${command.op} not sent: gateway commands need the shard coordinator, which this version does not route yet`,
      ),
    );
  },
};

/** Builds the context for one event; routes call this, so every entry point gives handlers the same shape. */
export function createHandlerContext(
  env: Env,
  event: EventMeta,
  waitUntil: (p: Promise<unknown>) => void,
): HandlerContext {
  let qq: QQOpenApi | undefined;
  const log = consoleLogger({ eventId: event.id, shard: event.shard, type: event.type });
  const rest = restClient(env, log, event.id);
  return {
    env,
    event: { id: event.id, platform: event.platform, shard: event.shard, type: event.type },
    log,
    waitUntil,
    api: discordApi(rest),
    rest,
    get qq() {
      return (qq ??= qqClient(env, event.id));
    },
    gateway: coordinatorGateway(env),
  };
}
