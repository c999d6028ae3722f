// The invalid-request guard (Discord docs, Topics > Rate Limits > Invalid Request Limit: an IP that makes
// 10,000 requests answered 401, 403 or 429 within 10 minutes is banned by Cloudflare for a while; 429s of
// scope `shared` do not count). We count the same responses in a sliding 10-minute window and refuse to
// send once our own, much lower threshold would be reached — counting requests in flight as if they will
// fail, so the threshold holds exactly. A 401 on the bot token means the token is wrong: every call that
// needs it stops until the token changes. A webhook Discord called unknown is not called again.

import type { Refusal } from './types.ts';

export const WINDOW_MS = 10 * 60 * 1000;
const SLICE_MS = 10_000;
const MAX_DEAD_WEBHOOKS = 10_000;

export interface GuardSnapshot {
  slices: [number, number][];
  tokenRejected: string | undefined;
  deadWebhooks: string[];
}

export class InvalidRequestGuard {
  readonly threshold: number;
  /** Counts per 10-second slice start, oldest first. */
  #slices: [number, number][] = [];
  #inFlight = 0;
  #tokenRejected: string | undefined;
  readonly #deadWebhooks = new Set<string>();

  constructor(threshold: number) {
    this.threshold = threshold;
  }

  #prune(now: number): void {
    while (this.#slices.length > 0 && this.#slices[0]![0] <= now - WINDOW_MS) this.#slices.shift();
  }

  count(now: number): number {
    this.#prune(now);
    return this.#slices.reduce((sum, [, n]) => sum + n, 0);
  }

  /** Undefined when the request may go; call sent() right after. */
  check(now: number, opts: { usesBotToken: boolean; webhook: string | undefined }): Refusal | undefined {
    if (opts.usesBotToken && this.#tokenRejected !== undefined)
      return { code: 'token_rejected', message: this.#tokenRejected };
    if (opts.webhook !== undefined && this.#deadWebhooks.has(opts.webhook)) {
      return {
        code: 'webhook_gone',
        message: 'Unknown Webhook (Discord answered 404 before; edgeshard does not call a deleted webhook again)',
      };
    }
    const counted = this.count(now);
    if (counted + this.#inFlight < this.threshold) return undefined;
    // Wait until enough old failures leave the window for this request to fit.
    let excess = counted + this.#inFlight - this.threshold + 1;
    let retryAfterMs = WINDOW_MS;
    for (const [start, n] of this.#slices) {
      excess -= n;
      if (excess <= 0) {
        retryAfterMs = Math.max(1000, start + SLICE_MS + WINDOW_MS - now);
        break;
      }
    }
    return {
      code: 'invalid_request_guard',
      retryAfterMs,
      message: `edgeshard refused to call Discord: ${counted} requests answered 401/403/429 in the last 10 minutes (threshold EDGESHARD_INVALID_REQUEST_LIMIT=${this.threshold}; Discord bans at 10,000). Fix the failing calls (missing permissions, unknown resources) — see the Worker logs`,
    };
  }

  sent(): void {
    this.#inFlight++;
  }

  /** Records a response; returns true when the guard's persistent state changed. */
  answered(
    now: number,
    status: number,
    opts: { scope: string | null; usesBotToken: boolean; webhook: string | undefined; code: number | undefined },
  ): boolean {
    this.#inFlight = Math.max(0, this.#inFlight - 1);
    let changed = false;
    if (status === 401 || status === 403 || (status === 429 && opts.scope !== 'shared')) {
      const slice = now - (now % SLICE_MS);
      const last = this.#slices.at(-1);
      if (last && last[0] === slice) last[1]++;
      else this.#slices.push([slice, 1]);
      changed = true;
    }
    if (status === 401 && opts.usesBotToken && this.#tokenRejected === undefined) {
      this.#tokenRejected =
        'Discord answered 401 Unauthorized to the bot token: DISCORD_TOKEN is wrong or was reset. Put the current token in the Worker (`wrangler secret put DISCORD_TOKEN`); edgeshard makes no call with this token until then';
      changed = true;
    }
    // 10015 Unknown Webhook; a bare 404 on the webhook itself means the same.
    if (status === 404 && opts.webhook !== undefined && (opts.code === 10015 || opts.code === undefined)) {
      if (this.#deadWebhooks.size >= MAX_DEAD_WEBHOOKS)
        this.#deadWebhooks.delete(this.#deadWebhooks.values().next().value!);
      this.#deadWebhooks.add(opts.webhook);
      changed = true;
    }
    return changed;
  }

  /** A network error: the request will never be answered. */
  failed(): void {
    this.#inFlight = Math.max(0, this.#inFlight - 1);
  }

  snapshot(): GuardSnapshot {
    return {
      slices: this.#slices.map(([s, n]) => [s, n]),
      tokenRejected: this.#tokenRejected,
      deadWebhooks: [...this.#deadWebhooks],
    };
  }

  restore(snapshot: GuardSnapshot): void {
    this.#slices = snapshot.slices.map(([s, n]) => [s, n]);
    this.#tokenRejected = snapshot.tokenRejected;
    for (const w of snapshot.deadWebhooks) this.#deadWebhooks.add(w);
  }
}
