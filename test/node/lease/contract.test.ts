// The lease and identify contract against the in-process driver (shard-host/lease/in-process.ts): the same
// coordination/ policy the ShardCoordinator DO runs, behind the same LeaseConnect seam.
import type { CoordinatorMessage } from '../../../protocol/index.ts';
import { InProcessCoordinator } from '../../../shard-host/lease/in-process.ts';
import { leaseContract, type ContractHost } from '../../contract/lease.ts';

const turns = async (n = 20) => {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
};

leaseContract('in-process driver', async () => {
  const coordinator = new InProcessCoordinator();
  return {
    settle: () => turns(),
    async connect(hostId) {
      const inbox: CoordinatorMessage[] = [];
      const waiting: { type: string; resolve(m: CoordinatorMessage): void }[] = [];
      let opened!: () => void;
      const open = new Promise<void>((r) => (opened = r));
      const link = coordinator.connect(hostId)({
        open: () => opened(),
        message: (m) => {
          const i = waiting.findIndex((w) => w.type === m.type);
          if (i >= 0) waiting.splice(i, 1)[0]!.resolve(m);
          else inbox.push(m);
        },
        close: () => {},
      });
      await open;
      const host: ContractHost = {
        send: (m) => void link.send(m),
        next: (type) => {
          const i = inbox.findIndex((m) => m.type === type);
          if (i >= 0) return Promise.resolve(inbox.splice(i, 1)[0]! as never);
          return new Promise((resolve) => waiting.push({ type, resolve: resolve as (m: CoordinatorMessage) => void }));
        },
        received: (type) => inbox.filter((m) => m.type === type) as never,
        close: () => link.close(1000, 'done'),
      };
      return host;
    },
  };
});
