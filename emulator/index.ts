export { startEmulator } from './server.ts';
export type { Emulator } from './types.ts';
export type { EmulatorOptions } from './options.ts';
export type { EmulatorCounters, RateLimitScope } from './counters.ts';
export type { DispatchRecord } from './gateway/session.ts';
export type { ShardControl } from './gateway/shard-control.ts';
export type { World, WorldChannel, WorldGuild, WorldUser } from './world.ts';
export { shardForGuild, snowflake, snowflakeTimestamp } from './snowflake.ts';
