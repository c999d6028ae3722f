// Public surface of lease/: re-exports only.
export { LeaseClient, IdentifyDeferred, fenceMarginMs } from './client.ts';
export type { LeaseClientOptions, ShardRunner } from './client.ts';
export { ShardPool } from './pool.ts';
export type { ShardPoolDeps } from './pool.ts';
export { RemoteIdentifyGate } from './identify-gate.ts';
export { LeaseSessionStore } from './sessions.ts';
export { webSocketLease, leaseUrl } from './transport.ts';
export type { LeaseConnect, LeaseLink, LeaseLinkEvents, WebSocketLeaseOptions } from './transport.ts';
