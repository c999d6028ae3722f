// Promises waiting for the shard's next READY/RESUMED, settled together.

interface Waiter {
  resolve: () => void;
  reject: (reason: unknown) => void;
}

export class Waiters {
  #set = new Set<Waiter>();

  wait(signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const onAbort = () => {
        this.#set.delete(waiter);
        reject(signal?.reason);
      };
      const done = () => signal?.removeEventListener('abort', onAbort);
      const waiter: Waiter = {
        resolve: () => (done(), resolve()),
        reject: (reason) => (done(), reject(reason)),
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#set.add(waiter);
    });
  }

  resolveAll(): void {
    const all = [...this.#set];
    this.#set.clear();
    for (const w of all) w.resolve();
  }

  rejectAll(reason: unknown): void {
    const all = [...this.#set];
    this.#set.clear();
    for (const w of all) w.reject(reason);
  }
}
