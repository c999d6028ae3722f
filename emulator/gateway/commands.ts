// The record of gateway commands (send events other than Identify, Resume and Heartbeat) the emulator
// received, per shard and session, so tests can check that a command reached exactly the shard that owns
// its guild. Presence (op 3) and voice state (op 4) are recorded only: Discord answers op 3 with nothing
// the bot itself receives, and the emulator has no voice servers. Op 8 is answered (members.ts).
import { GatewayOpcodes } from 'discord-api-types/v10';

export interface CommandRecord {
  shard: number;
  session: string;
  op: number;
  d: unknown;
  /** Emulator clock (Unix ms) when the command arrived. */
  at: number;
  /** recorded: kept, nothing to answer; answered: dispatches sent (op 8); ignored: Discord would not answer. */
  outcome: 'recorded' | 'answered' | 'ignored';
  /** Why it was ignored, or how many GUILD_MEMBERS_CHUNK dispatches answered it. */
  reason?: string;
  chunks?: number;
}

export interface CommandFilter {
  shard?: number;
  op?: number;
}

export const COMMAND_NAMES: Readonly<Record<number, string>> = {
  [GatewayOpcodes.PresenceUpdate]: 'PRESENCE_UPDATE',
  [GatewayOpcodes.VoiceStateUpdate]: 'VOICE_STATE_UPDATE',
  [GatewayOpcodes.RequestGuildMembers]: 'REQUEST_GUILD_MEMBERS',
  [GatewayOpcodes.RequestSoundboardSounds]: 'REQUEST_SOUNDBOARD_SOUNDS',
};

/** Commands a client may send once authenticated. */
export const ACCEPTED_COMMANDS: ReadonlySet<number> = new Set(Object.keys(COMMAND_NAMES).map(Number));

export function filterCommands(records: readonly CommandRecord[], filter: CommandFilter = {}): CommandRecord[] {
  return records
    .filter(
      (r) =>
        (filter.shard === undefined || r.shard === filter.shard) && (filter.op === undefined || r.op === filter.op),
    )
    .map((r) => structuredClone(r));
}
