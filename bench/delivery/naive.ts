// The naive peer: one signed POST per event, as soon as it arrives, many in flight, no spool and no
// batching; a failed POST is retried a few times, then the event is counted lost.
import { Pool } from 'undici';
import { PROTOCOL_VERSION, signedHeaders, type EventBatch, type EventEnvelope } from '../../protocol/index.ts';

export class NaiveForwarder {
  readonly #pool: Pool;
  readonly #secret: string;
  requests = 0;
  lost = 0;
  #inFlight = 0;

  constructor(workerUrl: string, secret: string) {
    this.#pool = new Pool(new URL(workerUrl).origin, { connections: 32, keepAliveTimeout: 300_000 });
    this.#secret = secret;
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  accept(event: EventEnvelope): void {
    this.#inFlight++;
    void this.#post(event).finally(() => this.#inFlight--);
  }

  async #post(event: EventEnvelope): Promise<void> {
    const batch: EventBatch = { v: PROTOCOL_VERSION, host: 'naive', epochs: { [event.shard]: 0 }, events: [event] };
    const body = JSON.stringify(batch);
    for (let attempt = 0; attempt < 5; attempt++) {
      this.requests++;
      try {
        const res = await this.#pool.request({
          path: '/events',
          method: 'POST',
          body,
          headers: { ...(await signedHeaders(this.#secret, body)), 'content-type': 'application/json' },
        });
        const text = await res.body.text();
        if (res.statusCode === 200 && text.includes('"ack"')) return;
      } catch {
        // retried below
      }
      await new Promise((r) => setTimeout(r, 100 * 2 ** attempt));
    }
    this.lost++;
  }

  close(): Promise<void> {
    return this.#pool.close();
  }
}
