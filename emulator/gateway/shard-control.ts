// Test hooks acting on the connection currently serving a shard: simulate network drops, server closes,
// op 7 Reconnect, op 9 Invalid Session, missing heartbeat ACKs (zombie connections) and op 1 requests.
// Each is a no-op when the shard has no open connection.
import { GatewayOpcodes } from 'discord-api-types/v10';
import type { GatewayHub } from './hub.ts';

export interface ShardControl {
  drop(): void;
  close(code: number, reason?: string): void;
  reconnect(): void;
  invalidSession(resumable: boolean): void;
  /** Applies to the shard's current connection only, so a reconnecting client gets ACKs again. */
  setHeartbeatAcks(enabled: boolean): void;
  requestHeartbeat(): void;
}

export function shardControl(hub: GatewayHub, shard: number): ShardControl {
  const conn = () => hub.connectionFor(shard);
  return {
    drop: () => conn()?.drop(),
    close: (code, reason) => conn()?.close(code, reason),
    reconnect: () => conn()?.sendOp(GatewayOpcodes.Reconnect, null),
    invalidSession: (resumable) => {
      const c = conn();
      if (c) hub.invalidate(c, resumable);
    },
    setHeartbeatAcks: (enabled) => {
      const c = conn();
      if (c) c.acksEnabled = enabled;
    },
    requestHeartbeat: () => conn()?.sendOp(GatewayOpcodes.Heartbeat, null),
  };
}
