// Discord gateway v10 as a dialect (Discord docs, Topics > Gateway; Topics > Opcodes and Status Codes).
import { GATEWAY_OPCODES as Op } from '../../../protocol/discord-gateway.ts';
import { closeCodeRow } from '../close-codes.ts';
import type { Dialect } from '../dialect.ts';
import { compressParam } from '../inflate.ts';
import { heartbeatPayload, identifyPayload, resumePayload } from '../payloads.ts';
import { gatewayUrlWithQuery } from '../session.ts';

export const discordDialect: Dialect = {
  platform: 'discord',
  name: 'Discord',
  opcodes: {
    dispatch: Op.Dispatch,
    heartbeat: Op.Heartbeat,
    identify: Op.Identify,
    resume: Op.Resume,
    reconnect: Op.Reconnect,
    invalidSession: Op.InvalidSession,
    hello: Op.Hello,
    heartbeatAck: Op.HeartbeatAck,
  },
  closeCodeRow,
  readySession(d) {
    const v = d as { session_id?: unknown; resume_gateway_url?: unknown } | null;
    if (typeof v?.session_id !== 'string' || typeof v.resume_gateway_url !== 'string') return null;
    return { sessionId: v.session_id, resumeUrl: v.resume_gateway_url };
  },
  eventId: () => undefined,
  url: (base, compress) => gatewayUrlWithQuery(base, compressParam(compress)),
  identify: identifyPayload,
  resume: resumePayload,
  heartbeat: heartbeatPayload,
};
