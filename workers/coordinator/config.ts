// Lease timing and identify spacing from the Worker's vars. The coordinator is the one authority on them:
// hosts learn the TTL and renewal period from its welcome message, so they are configured in one place.
import { EdgeshardError, ERROR_CODES } from '../../protocol/index.ts';
import type { CoordinatorConfig } from '../../coordination/model.ts';

export interface CoordinatorVars {
  EDGESHARD_LEASE_TTL_MS?: string;
  EDGESHARD_IDENTIFY_WINDOW_MS?: string;
}

export const DEFAULT_LEASE_TTL_MS = 15_000;
export const DEFAULT_IDENTIFY_WINDOW_MS = 5_000;
/** Shards moving between hosts at once while rebalancing; each move is a resume, not an identify. */
export const MAX_HANDOFFS = 8;
/** As the host's local gate: a READY takes well under this; past it the bucket moves on. */
export const IDENTIFY_ANSWER_TIMEOUT_MS = 15_000;

function ms(name: string, raw: string | undefined, fallback: number, min: number): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min)
    throw new EdgeshardError(
      ERROR_CODES.CONFIG_INVALID,
      `${name} must be an integer ≥ ${min} (milliseconds), got "${raw}"`,
    );
  return n;
}

export function coordinatorConfig(vars: CoordinatorVars): CoordinatorConfig {
  const leaseTtlMs = ms('EDGESHARD_LEASE_TTL_MS', vars.EDGESHARD_LEASE_TTL_MS, DEFAULT_LEASE_TTL_MS, 1_000);
  const window = ms('EDGESHARD_IDENTIFY_WINDOW_MS', vars.EDGESHARD_IDENTIFY_WINDOW_MS, DEFAULT_IDENTIFY_WINDOW_MS, 0);
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
