// Gateway commands from handlers: the coordinator knows which host owns the guild's shard and pushes the
// command down that host's lease connection; the host hands it to the shard's rate-limited send().
// Delivery is at most once: a command sent while its shard moves between hosts fails with NOT_AVAILABLE.
import type { GatewayCommands } from '../dispatch/context.ts';
import type { Env } from '../env.ts';
import { unwrap } from '../rpc.ts';
import { coordinatorStub } from './stub.ts';

export function coordinatorGateway(env: Env): GatewayCommands {
  return {
    async send(guildId, command) {
      unwrap(await coordinatorStub(env).command(guildId, { op: command.op, d: command.d }));
    },
  };
}
