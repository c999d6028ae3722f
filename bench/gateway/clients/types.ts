// What every benchmark client implements, so every scenario drives them the same way. Each library's
// client is its own module (clients/*.ts), loaded by client.ts for the one library a process runs: a
// client process holds only its own library's modules, so its RSS is that library's.
export interface ClientOptions {
  apiUrl: string;
  gatewayUrl: string;
  token: string;
  shardCount: number;
  compress: boolean;
  maxConcurrency: number;
  identifyWindowMs: number;
  /** false: nothing acknowledges the spool (a Worker that is down), so it fills to the host's default
   *  high-water mark and backpressure holds it there. */
  acknowledge: boolean;
}

export interface BenchClient {
  /** Starts these shards; resolves when every one of them is READY. */
  start(ids: number[]): Promise<void>;
  messages(): number;
  paused(): boolean;
}

export const INTENTS = 1 | 512 | 32768; // guilds, guild messages, message content
