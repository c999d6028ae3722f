// Builds a batch body from spooled entries without re-serialising the events.
import { PROTOCOL_VERSION } from '../../protocol/index.ts';
import type { SpoolEntry } from '../spool/types.ts';

export function batchBody(host: string, epoch: number, entries: readonly SpoolEntry[]): string {
  return `{"v":${PROTOCOL_VERSION},"host":${JSON.stringify(host)},"epoch":${epoch},"events":[${entries.map((e) => e.json).join(',')}]}`;
}
