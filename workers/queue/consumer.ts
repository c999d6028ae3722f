// Queue mode: the consumer runs each queued event's handlers. A failure retries that message alone after
// a growing delay; past max_retries (wrangler.toml [env.queue]) the queue moves it to the dead-letter
// queue. Ordering between events is not kept in this mode (Queues deliver in no guaranteed order).
import { parseEventBatch, PROTOCOL_VERSION, type EventEnvelope } from '../../protocol/index.ts';
import type { Registry } from '../dispatch/registry.ts';
import type { Env } from '../env.ts';
import { describe, dispatchEvent } from '../routes/dispatch-event.ts';

/** Seconds before the n-th retry (attempts starts at 1): 2, 4, 8 … capped at 5 minutes. */
export function retryDelaySeconds(attempts: number): number {
  return Math.min(300, 2 ** Math.max(1, attempts));
}

export function queueConsumer(registry: Registry) {
  return async (batch: MessageBatch<unknown>, env: Env, ctx: ExecutionContext): Promise<void> => {
    await Promise.all(
      batch.messages.map(async (message) => {
        let event: EventEnvelope;
        try {
          // Re-check the shape: anything with the queue's name can produce into it.
          [event] = parseEventBatch({ v: PROTOCOL_VERSION, host: 'queue', epoch: 0, events: [message.body] })
            .events as [EventEnvelope];
        } catch (err) {
          console.error(
            JSON.stringify({
              level: 'error',
              msg: 'queue message is not an event; it goes to the dead-letter queue after its retries',
              messageId: message.id,
              error: describe(err),
            }),
          );
          return message.retry({ delaySeconds: retryDelaySeconds(message.attempts) });
        }
        const result = await dispatchEvent(registry, env, event, (p) => ctx.waitUntil(p));
        if (result.outcome === 'ack') message.ack();
        else message.retry({ delaySeconds: retryDelaySeconds(message.attempts) });
      }),
    );
  };
}
