// The coordinator's timing, from the two numbers an operator sets (lease TTL, the platform's identify
// window). The ShardCoordinator DO reads them from the Worker's vars (workers/coordinator/config.ts); the
// in-process driver takes them directly. Hosts learn the TTL and renewal period from the welcome message.
import type { CoordinatorConfig } from './model.ts';

export const DEFAULT_LEASE_TTL_MS = 15_000;
export const DEFAULT_IDENTIFY_WINDOW_MS = 5_000;
/** Shards moving between hosts at once while rebalancing; each move is a resume, not an identify. */
export const MAX_HANDOFFS = 8;
/** As the host's local gate: a READY takes well under this; past it the bucket moves on. */
export const IDENTIFY_ANSWER_TIMEOUT_MS = 15_000;

export function coordinatorPolicy(
  leaseTtlMs = DEFAULT_LEASE_TTL_MS,
  window = DEFAULT_IDENTIFY_WINDOW_MS,
): CoordinatorConfig {
  return {
    leaseTtlMs,
    // Three renewals per TTL: one lost renewal never costs a lease.
    renewEveryMs: Math.floor(leaseTtlMs / 3),
    // The grant travels DO → host → gateway; differences in that delay between two hosts must not bring
    // two identifies of one bucket closer than the platform's window.
    identifySpacingMs: window + Math.max(250, Math.ceil(window / 10)),
    identifyWindowMs: window,
    identifyAnswerTimeoutMs: IDENTIFY_ANSWER_TIMEOUT_MS,
    maxHandoffs: MAX_HANDOFFS,
  };
}
