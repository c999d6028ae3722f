// Discord docs, Topics > Rate Limits > Invalid Request Limit: 10,000 responses of 401, 403 or 429 (except
// 429s of scope shared) within 10 minutes get the IP banned by Cloudflare for a while. The emulator counts
// them (counters.rest.invalid) and, past the limit, answers everything the way the ban does.

export const INVALID_LIMIT = 10_000;
export const INVALID_WINDOW_MS = 10 * 60 * 1000;

export function countsAsInvalid(status: number, scope: string | undefined): boolean {
  return status === 401 || status === 403 || (status === 429 && scope !== 'shared');
}

export class InvalidRequestCounter {
  readonly #times: number[] = [];
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  record(): void {
    this.#times.push(this.#now());
  }

  /** True while the last 10 minutes hold the limit or more: the "temporary Cloudflare ban". */
  banned(): boolean {
    const from = this.#now() - INVALID_WINDOW_MS;
    while (this.#times.length > 0 && this.#times[0]! <= from) this.#times.shift();
    return this.#times.length >= INVALID_LIMIT;
  }
}
