// The Hono environment every route shares: the bindings, and what middleware leaves for the handler.
import type { WorkerConfig } from '../config.ts';
import type { Env } from '../env.ts';

export interface AppEnv {
  Bindings: Env;
  Variables: {
    /** The request body, read by bodyLimit (never more than its limit). */
    body: Uint8Array;
    config: WorkerConfig;
  };
}
