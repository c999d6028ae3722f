// The emulator's shared parts, handed to the REST routes, the control API and the traffic generator.
import type { APIMessage } from 'discord-api-types/v10';
import type { EmulatorCounters } from './counters.ts';
import type { GatewayHub } from './gateway/hub.ts';
import type { ResolvedOptions } from './options.ts';
import type { SnowflakeGenerator } from './snowflake.ts';
import type { WorldIndex } from './world.ts';

export interface EmulatorUrls {
  url: string;
  apiUrl: string;
  gatewayUrl: string;
  resumeGatewayUrl: string;
}

export interface EmulatorCore {
  options: ResolvedOptions;
  counters: EmulatorCounters;
  index: WorldIndex;
  hub: GatewayHub;
  ids: SnowflakeGenerator;
  /** Every message the bot created through REST, in order. */
  sentMessages: APIMessage[];
  urls(): EmulatorUrls;
  /** Files uploaded with messages (Reference > Uploading Files), served at /attachments/{id}/{filename}. */
  uploads: Map<string, { filename: string; contentType: string; bytes: Uint8Array }>;
  /** X-Audit-Log-Reason of REST calls (Discord docs, Resources > Audit Log: URL-encoded in the header). */
  auditLog: { route: string; reason: string }[];
}
