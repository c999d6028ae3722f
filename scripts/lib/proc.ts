// Child processes for `npm start` and the end-to-end tests: spawn, prefix or capture their output, wait
// until they are ready, stop them with a signal and a deadline.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';

export interface Managed {
  name: string;
  child: ChildProcess;
  /** Every output line so far (stdout and stderr), for assertions and post-mortems. */
  lines: string[];
  exited: Promise<number | null>;
  /** SIGINT (or the given signal), then SIGKILL after `graceMs`. */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<number | null>;
}

export interface SpawnOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Print lines with a `[name]` prefix (npm start) instead of only capturing them (tests). */
  echo?: boolean;
  /** With echo: which lines to print (all of them are still captured). */
  echoFilter?: (line: string) => boolean;
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
}

// Children run in their own process group (so Ctrl-C reaches us first); if we exit without stopping them
// (a crash, a test runner that is torn down), their groups are killed here rather than left behind.
const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of live) {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
});

export function spawnManaged(name: string, command: string, args: string[], options: SpawnOptions = {}): Managed {
  const child = spawn(command, args, {
    cwd: options.cwd ?? process.cwd(),
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Own process group, so a Ctrl-C in the terminal reaches us first and we stop children in order.
    detached: true,
  });
  const lines: string[] = [];
  for (const stream of ['stdout', 'stderr'] as const) {
    createInterface({ input: child[stream]! }).on('line', (line) => {
      lines.push(line);
      if (lines.length > 5000) lines.splice(0, 1000);
      if (options.echo && (options.echoFilter?.(line) ?? true)) process.stdout.write(`[${name}] ${line}\n`);
      options.onLine?.(line, stream);
    });
  }
  live.add(child);
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code, signal) => {
      live.delete(child);
      resolve(code ?? (signal ? 128 : null));
    }),
  );
  const stop = async (signal: NodeJS.Signals = 'SIGINT', graceMs = 8000): Promise<number | null> => {
    if (child.exitCode !== null || child.signalCode !== null) return exited;
    try {
      process.kill(-child.pid!, signal);
    } catch {
      child.kill(signal);
    }
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }, graceMs);
    const code = await exited;
    clearTimeout(timer);
    return code;
  };
  return { name, child, lines, exited, stop };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Polls `check` until it returns a value, the process exits, or the deadline passes. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  options: { timeoutMs?: number; proc?: Managed; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  for (;;) {
    if (options.proc && options.proc.child.exitCode !== null) {
      throw new Error(
        `${options.proc.name} exited with ${options.proc.child.exitCode} while waiting for ${what}:\n${options.proc.lines.slice(-30).join('\n')}`,
      );
    }
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch {
      // not ready yet
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out waiting for ${what}${options.proc ? `; last output of ${options.proc.name}:\n${options.proc.lines.slice(-30).join('\n')}` : ''}`,
      );
    }
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 100));
  }
}
