// The public shape of a running emulator.
import type { APIMessage } from 'discord-api-types/v10';
import type { EmulatorCounters } from './counters.ts';
import type { ShardControl } from './gateway/shard-control.ts';
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
  /** Every dispatch assigned to a session (copies), optionally of one type. */
  dispatched(type?: string): DispatchRecord[];
  shardControl(shard: number): ShardControl;
  close(): Promise<void>;
}
