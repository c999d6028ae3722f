// The sans-IO core: one received payload (or close code) in, the actions it calls for out. No socket, no
// clock, no state beyond its arguments, so every protocol rule is testable as a plain function call.
// The rules are the same for every platform; what differs (opcode numbers, READY, close codes) comes from
// the dialect (dialect.ts), Discord's by default.
import { EdgeshardError } from '../../protocol/errors.ts';
import type { Dialect } from './dialect.ts';
import { discordDialect } from './dialects/discord.ts';
import type { Initiator, Next } from './state.ts';

/** Close code for client-initiated closes that must keep the session (anything but 1000/1001 does). */
export const RESUMABLE_CLOSE_CODE = 4900;

export type Action =
  /** `eventId`: the platform's own id of the event (QQ), absent when it has none (Discord). */
  | { type: 'dispatch'; seq: number; event: string; data: unknown; eventId?: string }
  | { type: 'hello'; intervalMs: number }
  | { type: 'heartbeat' }
  | { type: 'heartbeat-ack' }
  /** `resumeUrl` null: the platform names none; resume through the gateway URL. */
  | { type: 'ready'; sessionId: string; resumeUrl: string | null }
  | { type: 'resumed' }
  | {
      type: 'reconnect';
      initiator: Initiator;
      code: number;
      next: Next;
      delayMs: number;
      reason: string;
      /** The credential was refused: fetch a new one first. */
      refreshToken?: true;
    }
  | { type: 'fatal'; code: number; error: EdgeshardError }
  | { type: 'ignore'; reason: string };

interface RawPayload {
  op?: unknown;
  d?: unknown;
  s?: unknown;
  t?: unknown;
  id?: unknown;
}

export interface HandleContext {
  /** Uniform in [0, 1); picks the 1–5 s wait after a non-resumable Invalid Session. */
  random: () => number;
  /** The platform's tables; Discord when absent. */
  dialect?: Dialect;
}

export function handle(payload: RawPayload | null, ctx: HandleContext): Action[] {
  // JSON.parse accepts `null`, `1` or `[]` as well: nothing a gateway sends, and nothing to act on.
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload))
    return [{ type: 'ignore', reason: 'payload is not a JSON object' }];
  const dialect = ctx.dialect ?? discordDialect;
  const op = dialect.opcodes;
  switch (payload.op) {
    case op.dispatch:
      return dispatch(payload, dialect);
    case op.hello: {
      const interval = (payload.d as { heartbeat_interval?: unknown } | null)?.heartbeat_interval;
      if (typeof interval !== 'number' || !(interval > 0))
        return [{ type: 'ignore', reason: 'Hello without heartbeat_interval' }];
      return [{ type: 'hello', intervalMs: interval }];
    }
    case op.heartbeat:
      // Discord docs, Gateway > Sending Heartbeats > Heartbeat Requests: answer at once.
      return [{ type: 'heartbeat' }];
    case op.heartbeatAck:
      return [{ type: 'heartbeat-ack' }];
    case op.reconnect:
      // Discord docs, Gateway > Reconnect; QQ op 7 "服务端通知客户端重新连接": reconnect and resume now.
      return [reconnect('client-reconnect', RESUMABLE_CLOSE_CODE, 'resume', 0, 'op 7 Reconnect')];
    case op.invalidSession:
      // Discord docs, Gateway > Resuming / Opcodes: d=true → reconnect and resume; d=false → the session is gone:
      // wait a random 1–5 s, then reconnect and identify. Closing with 1000 is fine: nothing to keep.
      // QQ sends op 9 when Identify or Resume parameters are wrong, without d: a new session is the answer.
      return payload.d === true
        ? [reconnect('client-reconnect', RESUMABLE_CLOSE_CODE, 'resume', 0, 'op 9 Invalid Session (resumable)')]
        : [
            reconnect(
              'client-reconnect',
              1000,
              'reidentify',
              1_000 + Math.floor(4_000 * ctx.random()),
              'op 9 Invalid Session (not resumable)',
            ),
          ];
    default:
      return [{ type: 'ignore', reason: `unhandled opcode ${String(payload.op)}` }];
  }
}

function dispatch(payload: RawPayload, dialect: Dialect): Action[] {
  // A RESUMED without a sequence number still ends the replay (QQ's documents show one with `s`, but a
  // shard must not stay in `resuming` forever if one comes without).
  if (payload.t === 'RESUMED' && typeof payload.s !== 'number') return [{ type: 'resumed' }];
  // seq becomes the session's resume point: only a non-negative integer is one.
  if (
    typeof payload.s !== 'number' ||
    !Number.isSafeInteger(payload.s) ||
    payload.s < 0 ||
    typeof payload.t !== 'string'
  ) {
    return [{ type: 'ignore', reason: 'dispatch without seq or type' }];
  }
  const eventId = dialect.eventId(payload);
  const event: Action = { type: 'dispatch', seq: payload.s, event: payload.t, data: payload.d };
  if (eventId !== undefined) event.eventId = eventId;
  if (payload.t === 'READY') {
    const session = dialect.readySession(payload.d);
    if (!session) return [{ type: 'ignore', reason: `READY without the session fields ${dialect.name} documents` }];
    // Session first, so the READY record already carries the new session id.
    return [{ type: 'ready', sessionId: session.sessionId, resumeUrl: session.resumeUrl }, event];
  }
  if (payload.t === 'RESUMED') return [event, { type: 'resumed' }];
  return [event];
}

/** What to do after the server closed the socket with `code`. */
export function handleClose(code: number, reason: string, shardId: number, dialect: Dialect = discordDialect): Action {
  const row = dialect.closeCodeRow(code);
  const why = `closed by server with ${code} (${row.meaning})${reason ? `: ${reason}` : ''}`;
  if (row.action === 'fatal') {
    const error = new EdgeshardError(
      'gateway_fatal',
      `${dialect.name} gateway ${why} on shard ${shardId}; not reconnecting. Fix: ${row.fix ?? 'see the close code table'}`,
    );
    return { type: 'fatal', code, error };
  }
  const action = reconnect('server', code, row.action, 0, why);
  if (row.refreshToken && action.type === 'reconnect') action.refreshToken = true;
  return action;
}

function reconnect(initiator: Initiator, code: number, next: Next, delayMs: number, reason: string): Action {
  return { type: 'reconnect', initiator, code, next, delayMs, reason };
}
