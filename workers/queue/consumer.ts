// Queue mode: the consumer runs each queued event's handlers. A failure retries that message alone after
// a growing delay; past max_retries (wrangler.toml [env.queue]) the queue moves it to the dead-letter
// queue. Ordering between events is not kept in this mode (Queues deliver in no guaranteed order).
import { parseEventEnvelope, type EventEnvelope, type EventResult } from '../../protocol/index.ts';
import type { Registry } from '../dispatch/registry.ts';
import type { Env } from '../env.ts';
import { gatewayItem } from '../delivery/items.ts';
import { runOnce } from '../delivery/once.ts';
import { describe, dispatchEvent } from '../routes/dispatch-event.ts';

/** Seconds before the n-th retry (attempts starts at 1): 2, 4, 8 … capped at 5 minutes. */
export function retryDelaySeconds(attempts: number): number {
  return Math.min(300, 2 ** Math.max(1, attempts));
}

export function queueConsumer(registry: Registry) {
  return async (batch: MessageBatch<unknown>, env: Env, ctx: ExecutionContext): Promise<void> => {
    const events = new Map<string, { message: Message<unknown>; event: EventEnvelope }[]>();
    for (const message of batch.messages) {
      let event: EventEnvelope;
      try {
        // Re-check the shape: anything with the queue's name can produce into it.
        event = parseEventEnvelope(message.body);
      } catch (err) {
        console.error(
          JSON.stringify({
            level: 'error',
            msg: 'queue message is not an event; it goes to the dead-letter queue after its retries',
            messageId: message.id,
            error: describe(err),
          }),
        );
        message.retry({ delaySeconds: retryDelaySeconds(message.attempts) });
        continue;
      }
      events.set(event.id, [...(events.get(event.id) ?? []), { message, event }]);
    }
    if (events.size === 0) return;
    // Queues deliver at least once: the ledger runs each event's handlers once (workers/delivery/once.ts),
    // each platform's events through its own coordinator.
    const firsts = [...events.values()].map((list) => list[0]!.event);
    const results = new Map<string, EventResult>();
    for (const platform of new Set(firsts.map((e) => e.platform))) {
      const byId = await runOnce(env, {
        platform,
        fence: null,
        events: firsts.filter((e) => e.platform === platform),
        item: gatewayItem,
        run: (list) => Promise.all(list.map((event) => dispatchEvent(registry, env, event, (p) => ctx.waitUntil(p)))),
      });
      for (const [id, r] of byId) results.set(id, r);
    }
    for (const [id, list] of events) {
      for (const { message } of list) {
        if (results.get(id)?.outcome === 'ack') message.ack();
        else message.retry({ delaySeconds: retryDelaySeconds(message.attempts) });
      }
    }
  };
}
