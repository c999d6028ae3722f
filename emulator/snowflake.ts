// Snowflakes in Discord's layout (Discord docs, Reference > Snowflakes):
// 42 bits of milliseconds since 2015-01-01, 5 bits worker, 5 bits process, 12 bits increment.
export const DISCORD_EPOCH = 1_420_070_400_000;

export function snowflake(timestampMs: number, worker = 0, processId = 0, increment = 0): string {
  const ms = BigInt(timestampMs - DISCORD_EPOCH);
  return (
    (ms << 22n) |
    (BigInt(worker & 0x1f) << 17n) |
    (BigInt(processId & 0x1f) << 12n) |
    BigInt(increment & 0xfff)
  ).toString();
}

export function snowflakeTimestamp(id: string): number {
  return Number(BigInt(id) >> 22n) + DISCORD_EPOCH;
}

// Discord docs, Topics > Gateway > Sharding: shard_id = (guild_id >> 22) % num_shards.
export function shardForGuild(guildId: string, shardCount: number): number {
  return Number((BigInt(guildId) >> 22n) % BigInt(shardCount));
}

// Unique, increasing ids for runtime objects (messages). When more than 4096 ids are needed within one
// millisecond the clock is borrowed forward, as the increment field would otherwise wrap and repeat.
export class SnowflakeGenerator {
  #lastMs = 0;
  #increment = 0;
  readonly #worker: number;

  constructor(worker = 1) {
    this.#worker = worker;
  }

  next(now = Date.now()): string {
    if (now > this.#lastMs) {
      this.#lastMs = now;
      this.#increment = 0;
    } else if (++this.#increment > 0xfff) {
      this.#lastMs += 1;
      this.#increment = 0;
    }
    return snowflake(this.#lastMs, this.#worker, 0, this.#increment);
  }
}
