import type { Env as WorkerEnv } from '../../workers/env.ts';

declare global {
  namespace Cloudflare {
    interface Env extends WorkerEnv {}
  }
}
