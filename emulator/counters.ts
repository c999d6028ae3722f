// What the emulator observed, for tests and benchmarks to assert on. Mutated in place by the gateway and REST
// code; counters() hands out a deep copy so readers never see later changes.
export type RateLimitScope = 'user' | 'global' | 'shared';

export interface EmulatorCounters {
  identifies: number;
  identifiesByShard: Record<number, number>;
  resumes: number;
  resumesByShard: Record<number, number>;
  connectionsOpened: number;
  /** Identified or resumed connections currently open, per shard. */
  openConnections: Record<number, number>;
  /** Most simultaneously-open identified/resumed connections ever seen per shard (split-brain detector). */
  maxConcurrentConnections: Record<number, number>;
  /** The same per (shard, count), keyed `id/count`: a reshard runs two generations of one id at once. */
  openConnectionsByGeneration: Record<string, number>;
  maxConcurrentConnectionsByGeneration: Record<string, number>;
  heartbeats: number;
  heartbeatAcks: number;
  dispatches: number;
  dispatchesByType: Record<string, number>;
  invalidSessions: number;
  identifyViolations: number;
  /** Identifies accepted per rate-limit bucket (shard_id % max_concurrency). */
  identifiesByBucket: Record<number, number>;
  /** Identifies refused because their bucket identified less than one window earlier, per bucket. */
  identifyViolationsByBucket: Record<number, number>;
  /** Shortest time between two accepted identifies of the same bucket (null before a bucket's second). */
  minIdentifyGapMs: number | null;
  /** Close frames the emulator sent, by code. */
  closesByCode: Record<number, number>;
  /** Closes initiated by clients, by code (1006 when the socket vanished without a close frame). */
  clientCloses: Record<number, number>;
  /** Identified/resumed connections after the first one, per shard, summed. */
  reconnects: number;
  sessionStartRemaining: number;
  /** `invalid`: answers Discord counts toward the invalid-request limit (401, 403, 429 except shared). */
  rest: {
    requests: number;
    byRoute: Record<string, number>;
    ratelimited: Record<RateLimitScope, number>;
    invalid: number;
  };
  messagesSent: number;
  /** Gateway commands (op 3, 4, 8, 31) received from authenticated connections; records: GET /_emulator/gateway-commands. */
  commands: number;
  commandsByShard: Record<number, number>;
  commandsByOp: Record<number, number>;
}

export function createCounters(sessionStartTotal: number): EmulatorCounters {
  return {
    identifies: 0,
    identifiesByShard: {},
    resumes: 0,
    resumesByShard: {},
    connectionsOpened: 0,
    openConnections: {},
    maxConcurrentConnections: {},
    openConnectionsByGeneration: {},
    maxConcurrentConnectionsByGeneration: {},
    heartbeats: 0,
    heartbeatAcks: 0,
    dispatches: 0,
    dispatchesByType: {},
    invalidSessions: 0,
    identifyViolations: 0,
    identifiesByBucket: {},
    identifyViolationsByBucket: {},
    minIdentifyGapMs: null,
    closesByCode: {},
    clientCloses: {},
    reconnects: 0,
    sessionStartRemaining: sessionStartTotal,
    rest: { requests: 0, byRoute: {}, ratelimited: { user: 0, global: 0, shared: 0 }, invalid: 0 },
    messagesSent: 0,
    commands: 0,
    commandsByShard: {},
    commandsByOp: {},
  };
}

export function bump<K extends string | number>(record: Record<K, number>, key: K, by = 1): number {
  const next = (record[key] ?? 0) + by;
  record[key] = next;
  return next;
}

export function snapshot(counters: EmulatorCounters): EmulatorCounters {
  return structuredClone(counters);
}
