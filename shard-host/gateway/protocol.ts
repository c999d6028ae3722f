// The sans-IO core: one received payload (or close code) in, the actions it calls for out. No socket, no
// clock, no state beyond its arguments, so every protocol rule is testable as a plain function call.
import { GatewayDispatchEvents, GatewayOpcodes } from 'discord-api-types/v10';
import { EdgeshardError } from '../../protocol/errors.ts';
import { closeCodeRow } from './close-codes.ts';
import type { Initiator, Next } from './state.ts';

/** Close code for client-initiated closes that must keep the session (anything but 1000/1001 does). */
export const RESUMABLE_CLOSE_CODE = 4900;

export type Action =
  | { type: 'dispatch'; seq: number; event: string; data: unknown }
  | { type: 'hello'; intervalMs: number }
  | { type: 'heartbeat' }
  | { type: 'heartbeat-ack' }
  | { type: 'ready'; sessionId: string; resumeUrl: string }
  | { type: 'resumed' }
  | { type: 'reconnect'; initiator: Initiator; code: number; next: Next; delayMs: number; reason: string }
  | { type: 'fatal'; code: number; error: EdgeshardError }
  | { type: 'ignore'; reason: string };

interface RawPayload {
  op?: unknown;
  d?: unknown;
  s?: unknown;
  t?: unknown;
}

export interface HandleContext {
  /** Uniform in [0, 1); picks the 1–5 s wait after a non-resumable Invalid Session. */
  random: () => number;
}

export function handle(payload: RawPayload | null, ctx: HandleContext): Action[] {
  // JSON.parse accepts `null`, `1` or `[]` as well: nothing a gateway sends, and nothing to act on.
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload))
    return [{ type: 'ignore', reason: 'payload is not a JSON object' }];
  switch (payload.op) {
    case GatewayOpcodes.Dispatch:
      return dispatch(payload);
    case GatewayOpcodes.Hello: {
      const interval = (payload.d as { heartbeat_interval?: unknown } | null)?.heartbeat_interval;
      if (typeof interval !== 'number' || !(interval > 0))
        return [{ type: 'ignore', reason: 'Hello without heartbeat_interval' }];
      return [{ type: 'hello', intervalMs: interval }];
    }
    case GatewayOpcodes.Heartbeat:
      // Docs, Gateway > Sending Heartbeats > Heartbeat Requests: answer at once.
      return [{ type: 'heartbeat' }];
    case GatewayOpcodes.HeartbeatAck:
      return [{ type: 'heartbeat-ack' }];
    case GatewayOpcodes.Reconnect:
      // Docs, Gateway > Reconnect: reconnect and resume immediately.
      return [reconnect('client-reconnect', RESUMABLE_CLOSE_CODE, 'resume', 0, 'op 7 Reconnect')];
    case GatewayOpcodes.InvalidSession:
      // Docs, Gateway > Resuming / Opcodes: d=true → reconnect and resume; d=false → the session is gone:
      // wait a random 1–5 s, then reconnect and identify. Closing with 1000 is fine: nothing to keep.
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

function dispatch(payload: RawPayload): Action[] {
  // seq becomes the session's resume point: only a non-negative integer is one.
  if (
    typeof payload.s !== 'number' ||
    !Number.isSafeInteger(payload.s) ||
    payload.s < 0 ||
    typeof payload.t !== 'string'
  ) {
    return [{ type: 'ignore', reason: 'dispatch without seq or type' }];
  }
  const event: Action = { type: 'dispatch', seq: payload.s, event: payload.t, data: payload.d };
  if (payload.t === GatewayDispatchEvents.Ready) {
    const d = payload.d as { session_id?: unknown; resume_gateway_url?: unknown } | null;
    if (typeof d?.session_id !== 'string' || typeof d.resume_gateway_url !== 'string') {
      return [{ type: 'ignore', reason: 'READY without session_id or resume_gateway_url' }];
    }
    // Session first, so the READY record already carries the new session id.
    return [{ type: 'ready', sessionId: d.session_id, resumeUrl: d.resume_gateway_url }, event];
  }
  if (payload.t === GatewayDispatchEvents.Resumed) return [event, { type: 'resumed' }];
  return [event];
}

/** What to do after the server closed the socket with `code`. */
export function handleClose(code: number, reason: string, shardId: number): Action {
  const row = closeCodeRow(code);
  const why = `closed by server with ${code} (${row.meaning})${reason ? `: ${reason}` : ''}`;
  if (row.action === 'fatal') {
    const error = new EdgeshardError(
      'gateway_fatal',
      `Discord gateway ${why} on shard ${shardId}; not reconnecting. Fix: ${row.fix ?? 'see the close code table'}`,
    );
    return { type: 'fatal', code, error };
  }
  return reconnect('server', code, row.action, 0, why);
}

function reconnect(initiator: Initiator, code: number, next: Next, delayMs: number, reason: string): Action {
  return { type: 'reconnect', initiator, code, next, delayMs, reason };
}
