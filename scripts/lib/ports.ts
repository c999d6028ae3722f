// `npm start` checks every port it is about to use before it starts anything: a port already taken would
// otherwise be answered by whatever holds it (a false "edgeshard is up"), or fail halfway with advice for
// a flag `npm start` does not take. Each port is named with the setting that moves it.
import { createServer } from 'node:net';

export interface PortUse {
  port: number;
  /** The setting that changes it, e.g. EDGESHARD_WORKER_PORT. */
  setting: string;
  /** What listens there, for the message. */
  what: string;
}

/** Resolves true when `port` can be bound on `host` right now (and releases it at once). */
export function portFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE' || err.code === 'EACCES') resolve(false);
      else reject(err);
    });
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** The uses whose port is taken, and one message per use naming the setting to change. */
export async function portsInUse(uses: readonly PortUse[]): Promise<string[]> {
  const problems: string[] = [];
  const seen = new Map<number, PortUse>();
  for (const use of uses) {
    const clash = seen.get(use.port);
    if (clash) {
      problems.push(
        `port ${use.port} is set for both the ${clash.what} (${clash.setting}) and the ${use.what} (${use.setting}): give one of them another port`,
      );
      continue;
    }
    seen.set(use.port, use);
    if (!(await portFree(use.port)))
      problems.push(
        `port ${use.port} (${use.what}) is already in use: stop what holds it (\`ss -ltnp 'sport = :${use.port}'\` shows it) or set ${use.setting} to a free port, e.g. ${use.setting}=${use.port + 10} npm start`,
      );
  }
  return problems;
}
