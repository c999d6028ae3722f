// Public surface of lease/: re-exports only.
export { LeaseClient, IdentifyDeferred, fenceMarginMs } from './client.ts';
export type { LeaseClientOptions, LeaseStatus, ShardRunner } from './client.ts';
export { createLeasedHost } from './host.ts';
export type { LeasedHost, LeasedHostOptions } from './host.ts';
export { InProcessCoordinator } from './in-process.ts';
export { ShardPool } from './pool.ts';
export type { ShardPoolDeps } from './pool.ts';
export { webSocketLease, leaseUrl } from './transport.ts';
export type { LeaseConnect, LeaseLink, LeaseLinkEvents, WebSocketLeaseOptions } from './transport.ts';
