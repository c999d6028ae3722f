// One contract for the coordinator's lease and identify policy, run against both drivers: the
// ShardCoordinator Durable Object over its WebSocket (test/workers/coordinator-contract.test.ts) and the
// in-process driver (test/node/lease/contract.test.ts). Hosts speak the wire protocol (protocol/lease.ts);
// identify grants are relative waits, so no test needs real time to pass.
import { describe, expect, it } from 'vitest';
import {
  LEASE_PROTOCOL_VERSION as v,
  type CoordinatorMessage,
  type GatewayLimits,
  type HostMessage,
} from '../../protocol/index.ts';

export interface ContractHost {
  send(msg: HostMessage): void;
  /** The next message of this type (waits for it). */
  next<T extends CoordinatorMessage['type']>(type: T): Promise<Extract<CoordinatorMessage, { type: T }>>;
  /** Every message of this type received so far and not taken by next(). */
  received<T extends CoordinatorMessage['type']>(type: T): Extract<CoordinatorMessage, { type: T }>[];
  close(): void;
}

export interface ContractDriver {
  connect(hostId: string): Promise<ContractHost>;
  /** Lets queued messages be delivered (a few event-loop turns, or a short real wait). */
  settle(): Promise<void>;
}

type Assign = Extract<CoordinatorMessage, { type: 'assign' }>;

const limits = (o: Partial<GatewayLimits> = {}): GatewayLimits => ({
  maxConcurrency: 1,
  sessionStartTotal: 1000,
  sessionStartRemaining: 1000,
  sessionStartResetAfterMs: 0,
  ...o,
});

async function hello(
  driver: ContractDriver,
  id: string,
  o: { capacity?: number; shardCount?: number; gateway?: GatewayLimits; allowedShards?: number[] } = {},
) {
  const host = await driver.connect(id);
  host.send({
    v,
    type: 'hello',
    id: 1,
    capacity: o.capacity ?? 16,
    shardCount: o.shardCount ?? 4,
    gateway: o.gateway ?? limits(),
    shards: [],
    answers: true,
    ...(o.allowedShards ? { allowedShards: o.allowedShards } : {}),
  });
  await host.next('welcome');
  await host.next('renewed');
  await driver.settle();
  return host;
}

const shardsOf = (assigns: Assign[]) => assigns.map((a) => a.shard).sort((a, b) => a - b);

export function leaseContract(name: string, makeDriver: () => Promise<ContractDriver>): void {
  describe(`lease and identify contract: ${name}`, () => {
    it('assigns every shard to the one host, each at a fresh epoch', async () => {
      const driver = await makeDriver();
      const a = await hello(driver, 'host-a');
      const assigns = a.received('assign');
      expect(shardsOf(assigns)).toEqual([0, 1, 2, 3]);
      expect(assigns.every((x) => x.epoch >= 1 && x.shardCount === 4)).toBe(true);
      a.close();
    });

    it('never assigns one shard to two hosts, and spreads shards by capacity', async () => {
      const driver = await makeDriver();
      const a = await hello(driver, 'host-a', { capacity: 2 });
      const b = await hello(driver, 'host-b', { capacity: 2 });
      const ofA = shardsOf(a.received('assign'));
      const ofB = shardsOf(b.received('assign'));
      expect(ofA).toHaveLength(2);
      expect(ofB).toHaveLength(2);
      expect([...ofA, ...ofB].sort((x, y) => x - y)).toEqual([0, 1, 2, 3]);
      a.close();
      b.close();
    });

    it('gives a host only the shards its EDGESHARD_SHARDS allows; another host pinned to the same shards waits', async () => {
      const driver = await makeDriver();
      const a = await hello(driver, 'host-a', { allowedShards: [1, 2] });
      expect(shardsOf(a.received('assign'))).toEqual([1, 2]);
      const b = await hello(driver, 'host-b', { allowedShards: [2, 3] });
      // Shard 2 is held by host-a: host-b gets shard 3 only (and 0 stays free: nobody may run it).
      expect(shardsOf(b.received('assign'))).toEqual([3]);
      a.close();
      b.close();
    });

    it('one identify per bucket at a time: the next waits for the answer, then a window', async () => {
      const driver = await makeDriver();
      const a = await hello(driver, 'host-a');
      const epochs = new Map(a.received('assign').map((x) => [x.shard, x.epoch]));
      a.send({ v, type: 'identify', id: 10, shard: 0, epoch: epochs.get(0)! });
      const first = await a.next('identify-grant');
      expect(first).toMatchObject({ id: 10, shard: 0, waitMs: 0 });
      a.send({ v, type: 'identify', id: 11, shard: 1, epoch: epochs.get(1)! });
      await driver.settle();
      expect(a.received('identify-grant')).toEqual([]); // queued behind shard 0's answer
      a.send({ v, type: 'answered', shard: 0, epoch: epochs.get(0)! });
      const second = await a.next('identify-grant');
      expect(second.shard).toBe(1);
      expect(second.waitMs).toBeGreaterThan(0); // a full window after the answer
      a.close();
    });

    it('buckets are independent: shards of different buckets identify at once', async () => {
      const driver = await makeDriver();
      const a = await hello(driver, 'host-a', { gateway: limits({ maxConcurrency: 2 }) });
      const epochs = new Map(a.received('assign').map((x) => [x.shard, x.epoch]));
      a.send({ v, type: 'identify', id: 20, shard: 0, epoch: epochs.get(0)! });
      a.send({ v, type: 'identify', id: 21, shard: 1, epoch: epochs.get(1)! });
      const grants = [await a.next('identify-grant'), await a.next('identify-grant')];
      expect(grants.map((g) => [g.shard, g.waitMs]).sort()).toEqual([
        [0, 0],
        [1, 0],
      ]);
      a.close();
    });

    it('refuses to identify when session_start_limit.remaining is 0, saying when to ask again', async () => {
      const driver = await makeDriver();
      const a = await hello(driver, 'host-a', {
        gateway: limits({ sessionStartRemaining: 0, sessionStartResetAfterMs: 3_600_000 }),
      });
      const epochs = new Map(a.received('assign').map((x) => [x.shard, x.epoch]));
      a.send({ v, type: 'identify', id: 30, shard: 0, epoch: epochs.get(0)! });
      const wait = await a.next('identify-wait');
      expect(wait.id).toBe(30);
      expect(wait.retryAfterMs).toBeGreaterThan(3_500_000);
      expect(wait.reason).toMatch(/session_start_limit\.remaining is 0/);
      a.close();
    });

    it('refuses an identify for a shard the host does not hold at that epoch', async () => {
      const driver = await makeDriver();
      const a = await hello(driver, 'host-a', { allowedShards: [0] });
      a.send({ v, type: 'identify', id: 40, shard: 3, epoch: 1 });
      const wait = await a.next('identify-wait');
      expect(wait.reason).toMatch(/does not own shard 3/);
      a.close();
    });

    it('a draining host (shutting down) gets back nothing it releases', async () => {
      const driver = await makeDriver();
      const a = await hello(driver, 'host-a', { shardCount: 2 });
      const epoch = a.received('assign').find((x) => x.shard === 0)!.epoch;
      const before = a.received('assign').length;
      a.send({ v, type: 'drain' });
      a.send({ v, type: 'released', shard: 0, epoch, session: null, reason: 'host shutting down' });
      await driver.settle();
      expect(a.received('assign')).toHaveLength(before); // not reassigned to the host that is leaving
      a.close();
    });

    it('a released shard goes to the other host at a higher epoch, with the released session', async () => {
      const driver = await makeDriver();
      const a = await hello(driver, 'host-a', { capacity: 4 });
      const b = await hello(driver, 'host-b', { capacity: 4 });
      const held = a.received('assign').find((x) => x.shard === 0) ?? b.received('assign').find((x) => x.shard === 0)!;
      const [owner, other] = a.received('assign').some((x) => x.shard === 0) ? [a, b] : [b, a];
      owner.send({ v, type: 'bye' });
      owner.close();
      await driver.settle();
      const moved = other.received('assign').filter((x) => x.shard === 0);
      expect(moved).toHaveLength(1);
      expect(moved[0]!.epoch).toBeGreaterThan(held.epoch);
      other.close();
    });
  });
}
