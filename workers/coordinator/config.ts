// Lease timing and identify spacing from the Worker's vars. The coordinator is the one authority on them:
// hosts learn the TTL and renewal period from its welcome message, so they are configured in one place.
import { EdgeshardError, ERROR_CODES } from '../../protocol/index.ts';
import { coordinatorPolicy, DEFAULT_IDENTIFY_WINDOW_MS, DEFAULT_LEASE_TTL_MS } from '../../coordination/config.ts';
import type { CoordinatorConfig } from '../../coordination/model.ts';

export {
  DEFAULT_IDENTIFY_WINDOW_MS,
  DEFAULT_LEASE_TTL_MS,
  IDENTIFY_ANSWER_TIMEOUT_MS,
  MAX_HANDOFFS,
} from '../../coordination/config.ts';

export interface CoordinatorVars {
  EDGESHARD_LEASE_TTL_MS?: string;
  EDGESHARD_IDENTIFY_WINDOW_MS?: string;
}

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
  return coordinatorPolicy(leaseTtlMs, window);
}
