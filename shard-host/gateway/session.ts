// What a shard needs to resume instead of identifying. Small and serialisable: the host stores it with
// the coordinator so any host can resume the shard (docs, Topics > Gateway > Resuming).

import type { SessionInfo } from '../../protocol/index.ts';

/** The session triple has one name everywhere: protocol/lease.ts SessionInfo. */
export type { SessionInfo };

/** Gateway URL with the query Discord expects (docs, Topics > Gateway > Connecting: Gateway URL Query String Params). */
export function gatewayUrlWithQuery(base: string, compressParam: string): string {
  const url = new URL(base);
  url.searchParams.set('v', '10');
  url.searchParams.set('encoding', 'json');
  url.searchParams.delete('compress');
  return url.toString() + compressParam;
}
