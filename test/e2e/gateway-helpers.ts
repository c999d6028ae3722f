// Shared steps of the gateway end-to-end tests: control the emulator, read its counters and records, and
// compare what the Worker handled (the ledger) with what the emulator sent.
import { waitFor, type Managed } from '../../scripts/lib/proc.ts';
import type { System } from './system.ts';

export interface Counters {
  identifies: number;
  identifiesByShard: Record<number, number>;
  identifiesByBucket: Record<number, number>;
  identifyViolations: number;
  minIdentifyGapMs: number | null;
  resumes: number;
  resumesByShard: Record<number, number>;
  reconnects: number;
  closesByCode: Record<number, number>;
  clientCloses: Record<number, number>;
  maxConcurrentConnections: Record<number, number>;
}

export const post = (system: System, path: string, body: unknown = {}) =>
  system.emu(`/_emulator${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

export const counters = (system: System) => system.emu<Counters>('/_emulator/state');

export async function hostReady(host: Managed, times = 1): Promise<void> {
  await waitFor(
    'the host to report all shards ready',
    () => (host.lines.filter((l) => l.includes('all shards ready')).length >= times ? true : undefined),
    { proc: host, timeoutMs: 45_000 },
  );
}

/** Ledger entries for a message id, once every MESSAGE_CREATE the emulator sent has been handled. */
export async function everyMessageHandled(system: System): Promise<{ sent: string[]; handled: Map<string, number> }> {
  return waitFor(
    'every MESSAGE_CREATE the emulator sent to reach the Worker',
    async () => {
      const sent = (await system.emu<{ id?: string }[]>('/_emulator/dispatched?type=MESSAGE_CREATE')).map((d) => d.id!);
      const handled = new Map<string, number>();
      for (const e of system.ledger.entries) handled.set(e.messageId, (handled.get(e.messageId) ?? 0) + 1);
      return sent.length > 0 && sent.every((id) => handled.has(id)) ? { sent, handled } : undefined;
    },
    { timeoutMs: 45_000, intervalMs: 250 },
  );
}

/** Ids handled more than once, and by how many extra times in total. */
export function duplicates(handled: Map<string, number>): { ids: string[]; extra: number } {
  const ids = [...handled].filter(([, n]) => n > 1).map(([id]) => id);
  return { ids, extra: ids.reduce((sum, id) => sum + handled.get(id)! - 1, 0) };
}

export async function waitCounters(system: System, what: string, check: (c: Counters) => boolean): Promise<Counters> {
  return waitFor(
    what,
    async () => {
      const c = await counters(system);
      return check(c) ? c : undefined;
    },
    { timeoutMs: 30_000, intervalMs: 100 },
  );
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
