// Typed handler registry: handlers register per platform and event name, and the payload type is inferred
// (Discord from discord-api-types, QQ from protocol/qq.ts). Interaction handlers (commands, components,
// modals) go in the same list; the registry hands them to the interaction router.
import type { APIInteraction } from 'discord-api-types/v10';
import type { EventEnvelope, Platform } from '../../protocol/index.ts';
import type { QQEventName, QQEvents } from '../../protocol/qq.ts';
import { InteractionRouter } from '../interactions/router.ts';
import { eventPoint } from '../observability/analytics.ts';
import { describeError, WorkerMetrics } from '../observability/metrics.ts';
import type { InteractionHandlerDefinition } from '../interactions/types.ts';
import type { HandlerContext } from './context.ts';
import type { DiscordEventName, DiscordEvents } from './events.ts';

export { onCommand, onComponent, onModal, onSubcommands } from '../interactions/define.ts';

export type Handler<T> = (data: T, ctx: HandlerContext) => unknown;

export interface EventHandlerDefinition {
  kind: 'event';
  platform: Platform;
  event: string;
  handle: Handler<never>;
}

export type HandlerDefinition = EventHandlerDefinition | InteractionHandlerDefinition;

/** Declares a handler for one Discord dispatch; `data` is typed from the event name. */
export function onDiscord<E extends DiscordEventName>(
  event: E,
  handle: Handler<DiscordEvents[E]>,
): EventHandlerDefinition {
  return { kind: 'event', platform: 'discord', event, handle: handle as Handler<never> };
}

/** Declares a handler for one QQ Bot event (webhook or gateway); `data` is typed from the event name. */
export function onQQ<E extends QQEventName>(event: E, handle: Handler<QQEvents[E]>): EventHandlerDefinition {
  return { kind: 'event', platform: 'qq', event, handle: handle as Handler<never> };
}

export interface DispatchOutcome {
  /** How many handlers ran; 0 means the event type is not handled (a counted no-op). */
  handled: number;
  errors: unknown[];
}

/** What dispatch needs of an event; gateway envelopes and webhook deliveries both fit. */
export type DispatchInput = Pick<EventEnvelope, 'platform' | 'type' | 'data'>;

export class Registry {
  readonly #byKey = new Map<string, Handler<unknown>[]>();
  readonly interactions: InteractionRouter;
  /** Events and interactions that arrived with no handler, by `platform:type` (or `discord:interaction:…`). */
  readonly unhandled = new Map<string, number>();
  /** Handled/failed counts and handler time per event type, this isolate's (observability/metrics.ts). */
  readonly metrics = new WorkerMetrics();

  constructor(definitions: readonly HandlerDefinition[]) {
    const interactions: InteractionHandlerDefinition[] = [];
    for (const def of definitions) {
      if (def.kind !== 'event') {
        interactions.push(def);
        continue;
      }
      const key = `${def.platform}:${def.event}`;
      const list = this.#byKey.get(key) ?? [];
      list.push(def.handle as Handler<unknown>);
      this.#byKey.set(key, list);
    }
    this.interactions = new InteractionRouter(interactions, (key, outcome, ms, failure) =>
      this.metrics.observe(`discord:interaction:${key}`, outcome, ms, failure),
    );
  }

  count(key: string): void {
    this.unhandled.set(key, (this.unhandled.get(key) ?? 0) + 1);
  }

  /** Runs every handler for the event; one handler's failure does not stop the others. */
  async dispatch(event: DispatchInput, ctx: HandlerContext): Promise<DispatchOutcome> {
    const key = `${event.platform}:${event.type}`;
    const tasks: (() => Promise<unknown>)[] = (this.#byKey.get(key) ?? []).map((h) => async () => h(event.data, ctx));
    if (event.platform === 'discord' && event.type === 'INTERACTION_CREATE' && this.interactions.size > 0) {
      tasks.push(() => this.#answerGatewayInteraction(event.data as APIInteraction, ctx));
    }
    if (tasks.length === 0) {
      this.count(key);
      return { handled: 0, errors: [] };
    }
    const started = Date.now();
    const settled = await Promise.allSettled(tasks.map((t) => t()));
    const errors = settled.flatMap((s) => (s.status === 'rejected' ? [s.reason as unknown] : []));
    const durationMs = Date.now() - started;
    const outcome = errors.length === 0 ? 'handled' : 'failed';
    this.metrics.observe(
      key,
      outcome,
      durationMs,
      errors.length === 0 ? undefined : { error: describeError(errors[0]), eventId: ctx.event.id },
    );
    eventPoint(ctx.env.EDGESHARD_ANALYTICS, {
      platform: event.platform,
      type: event.type,
      outcome,
      id: ctx.event.id,
      durationMs,
      handlers: tasks.length,
    });
    return { handled: tasks.length, errors };
  }

  /**
   * A bot without an interactions endpoint URL receives interactions over the gateway; the same command
   * handlers answer them, through POST /interactions/{id}/{token}/callback (Discord docs, Interactions >
   * Receiving and Responding > Create Interaction Response).
   */
  async #answerGatewayInteraction(interaction: APIInteraction, ctx: HandlerContext): Promise<void> {
    const outcome = await this.interactions.route(interaction, ctx);
    if (!outcome.handled) {
      this.count(`discord:interaction:${outcome.key}`);
      return;
    }
    await ctx.rest.request('POST', `/interactions/${interaction.id}/${interaction.token}/callback`, outcome.response);
  }
}
