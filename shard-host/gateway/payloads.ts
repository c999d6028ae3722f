// Payloads the shard sends on its own behalf (docs, Topics > Gateway Events > Send Events).
import { GATEWAY_OPCODES as Op } from '../../protocol/discord-gateway.ts';
import type { GatewayCommand, SessionInfo } from '../../protocol/index.ts';
import type { IdentifyInput } from './dialect.ts';

export function identifyPayload(input: IdentifyInput): GatewayCommand {
  return {
    op: Op.Identify,
    d: {
      token: input.token,
      intents: input.intents,
      properties: { os: process.platform, browser: 'edgeshard', device: 'edgeshard' },
      shard: input.shard,
      large_threshold: input.largeThreshold,
      ...(input.presence === undefined ? {} : { presence: input.presence }),
    },
  };
}

export function resumePayload(token: string, session: SessionInfo): GatewayCommand {
  return { op: Op.Resume, d: { token, session_id: session.sessionId, seq: session.seq } };
}

/** Op 1 carries the last sequence number received, or null before the first dispatch. */
export function heartbeatPayload(seq: number | null): GatewayCommand {
  return { op: Op.Heartbeat, d: seq };
}
