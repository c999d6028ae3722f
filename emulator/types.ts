// The public shape of a running emulator.
import type { APIMessage } from 'discord-api-types/v10';
import type { EmulatorCounters } from './counters.ts';
import type { BlastOptions, BlastStats } from './gateway/blast.ts';
import type { CommandFilter, CommandRecord } from './gateway/commands.ts';
import type { ShardControl } from './gateway/shard-control.ts';
import type { WebhookInfo } from './interactions/mount.ts';
import type { DispatchRecord } from './gateway/session.ts';
import type { World } from './world.ts';

export interface Emulator {
  /** http://HOST:PORT */
  url: string;
  /** `${url}/api/v10` */
  apiUrl: string;
  /** ws://HOST:PORT/gateway */
  gatewayUrl: string;
  token: string;
  world: World;
  counters(): EmulatorCounters;
  /** A user says something; dispatched as MESSAGE_CREATE to the session owning the guild. */
  say(input: { channelId: string; content: string; userId?: string }): APIMessage;
  setMessageRate(rate: number): void;
  /** Every message the bot created through REST, in order. */
  sentMessages(): APIMessage[];
  /** X-Audit-Log-Reason of every REST call that carried one (decoded), in order. */
  auditLog(): { route: string; reason: string }[];
  /** Every dispatch assigned to a session (copies), optionally of one type. */
  dispatched(type?: string): DispatchRecord[];
  /** Gateway commands received (copies), optionally of one shard and/or opcode. */
  commands(filter?: CommandFilter): CommandRecord[];
  shardControl(shard: number): ShardControl;
  /** Keys and ids a Worker needs for interactions and QQ callbacks from this emulator. */
  webhooks(): WebhookInfo;
  /** Benchmarks: ~`bytes` MESSAGE_CREATEs to every live session as fast as each socket takes them. */
  blast(options?: BlastOptions): void;
  stopBlast(): BlastStats;
  blastStats(): BlastStats;
  close(): Promise<void>;
}
