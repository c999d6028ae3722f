// Gateway close codes the emulator sends (Discord docs, Topics > Opcodes and Status Codes > Gateway Close
// Event Codes) and what each one does to the session behind the connection.
import { GatewayCloseCodes } from 'discord-api-types/v10';

// Codes after which Discord says to start a new session rather than resume.
const ENDS_SESSION: ReadonlySet<number> = new Set([
  GatewayCloseCodes.InvalidSeq,
  GatewayCloseCodes.SessionTimedOut,
  GatewayCloseCodes.AuthenticationFailed,
  GatewayCloseCodes.InvalidShard,
  GatewayCloseCodes.ShardingRequired,
  GatewayCloseCodes.InvalidAPIVersion,
  GatewayCloseCodes.InvalidIntents,
  GatewayCloseCodes.DisallowedIntents,
]);

/** Whether a close the emulator sends with this code invalidates the session. */
export function serverCloseEndsSession(code: number): boolean {
  return ENDS_SESSION.has(code);
}

// Discord docs, Topics > Gateway > Disconnecting: a client closing with 1000 or 1001 invalidates its session;
// any other code (or a dropped socket) leaves it resumable.
export function clientCloseEndsSession(code: number): boolean {
  return code === 1000 || code === 1001;
}

export const CLOSE_REASONS: Partial<Record<number, string>> = {
  [GatewayCloseCodes.UnknownOpcode]: 'Unknown opcode.',
  [GatewayCloseCodes.DecodeError]: 'Decode error.',
  [GatewayCloseCodes.NotAuthenticated]: 'Not authenticated.',
  [GatewayCloseCodes.AuthenticationFailed]: 'Authentication failed.',
  [GatewayCloseCodes.AlreadyAuthenticated]: 'Already authenticated.',
  [GatewayCloseCodes.RateLimited]: 'Rate limited.',
  [GatewayCloseCodes.SessionTimedOut]: 'Session timed out.',
  [GatewayCloseCodes.InvalidShard]: 'Invalid shard.',
  [GatewayCloseCodes.InvalidAPIVersion]: 'Invalid API version.',
  [GatewayCloseCodes.InvalidIntents]: 'Invalid intent(s).',
  [GatewayCloseCodes.DisallowedIntents]: 'Disallowed intent(s).',
};
