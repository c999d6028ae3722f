// Typed handler registry: handlers register per platform and event name; the payload type is inferred.
import type { EventEnvelope } from '../../protocol/index.ts';
import type { HandlerContext } from './context.ts';
import type { DiscordEventName, DiscordEvents } from './events.ts';

export type Handler<T> = (data: T, ctx: HandlerContext) => unknown;

export interface HandlerDefinition {
  platform: 'discord';
  event: string;
  handle: Handler<never>;
}

/** Declares a handler for one Discord dispatch; `data` is typed from the event name. */
export function onDiscord<E extends DiscordEventName>(event: E, handle: Handler<DiscordEvents[E]>): HandlerDefinition {
  return { platform: 'discord', event, handle: handle as Handler<never> };
}

export interface DispatchOutcome {
  /** How many handlers ran; 0 means the event type is not handled (a counted no-op). */
  handled: number;
  errors: unknown[];
}

export class Registry {
  readonly #byKey = new Map<string, Handler<unknown>[]>();
  /** Events that arrived with no handler, by `platform:type`. */
  readonly unhandled = new Map<string, number>();

  constructor(definitions: readonly HandlerDefinition[]) {
    for (const def of definitions) {
      const key = `${def.platform}:${def.event}`;
      const list = this.#byKey.get(key) ?? [];
      list.push(def.handle as Handler<unknown>);
      this.#byKey.set(key, list);
    }
  }

  /** Runs every handler for the event; one handler's failure does not stop the others. */
  async dispatch(event: EventEnvelope, ctx: HandlerContext): Promise<DispatchOutcome> {
    const key = `${event.platform}:${event.type}`;
    const handlers = this.#byKey.get(key);
    if (!handlers) {
      this.unhandled.set(key, (this.unhandled.get(key) ?? 0) + 1);
      return { handled: 0, errors: [] };
    }
    const settled = await Promise.allSettled(handlers.map(async (h) => h(event.data, ctx)));
    const errors = settled.flatMap((s) => (s.status === 'rejected' ? [s.reason as unknown] : []));
    return { handled: handlers.length, errors };
  }
}
