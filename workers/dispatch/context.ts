// What a handler gets besides its payload.
import { EdgeshardError, ERROR_CODES, type EventEnvelope } from '../../protocol/index.ts';
import type { Env } from '../env.ts';
import type { DiscordRest } from '../rest/client.ts';
import { restClient } from '../rest/stub.ts';

export interface HandlerLogger {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

export interface GatewayCommands {
  /** Sends a gateway command (presence, request guild members) to the shard that owns `guildId`. */
  send(guildId: string, payload: { op: number; d: unknown }): Promise<void>;
}

export interface HandlerContext {
  env: Env;
  event: Pick<EventEnvelope, 'id' | 'platform' | 'shard' | 'type'>;
  log: HandlerLogger;
  waitUntil(promise: Promise<unknown>): void;
  rest: DiscordRest;
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
  send() {
    return Promise.reject(
      new EdgeshardError(ERROR_CODES.NOT_AVAILABLE, 'gateway commands need the shard coordinator, which this version does not route yet'),
    );
  },
};

/** Builds the context for one event; routes call this, so every entry point gives handlers the same shape. */
export function createHandlerContext(env: Env, event: EventEnvelope, waitUntil: (p: Promise<unknown>) => void): HandlerContext {
  return {
    env,
    event: { id: event.id, platform: event.platform, shard: event.shard, type: event.type },
    log: consoleLogger({ eventId: event.id, shard: event.shard, type: event.type }),
    waitUntil,
    rest: restClient(env),
    gateway: unavailableGateway,
  };
}
