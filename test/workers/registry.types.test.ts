// Type tests: the payload (and interaction) a handler receives is inferred from what it registers for.
import type {
  APIChatInputApplicationCommandInteraction,
  APIMessageApplicationCommandInteraction,
  APIMessageComponentInteraction,
  APIModalSubmitInteraction,
  APIUserApplicationCommandInteraction,
  ApplicationCommandType,
  GatewayGuildCreateDispatchData,
  GatewayMessageCreateDispatchData,
  GatewayRequestGuildMembers,
} from 'discord-api-types/v10';
import { describe, expectTypeOf, it } from 'vitest';
import type { QQC2CMessage, QQGroupAtMessage, QQGuildMessage, QQInteraction } from '../../protocol/qq.ts';
import type { SendableGatewayCommand, HandlerContext } from '../../workers/dispatch/context.ts';
import { onCommand, onComponent, onDiscord, onModal, onQQ } from '../../workers/dispatch/registry.ts';
import type { ComponentContext, InteractionContext } from '../../workers/interactions/types.ts';
import type { QQOpenApi } from '../../workers/qq/client.ts';

describe('registry type inference', () => {
  it('types Discord payloads from the event name', () => {
    onDiscord('MESSAGE_CREATE', (message, ctx) => {
      expectTypeOf(message).toEqualTypeOf<GatewayMessageCreateDispatchData>();
      expectTypeOf(message.author.id).toBeString();
      expectTypeOf(ctx).toEqualTypeOf<HandlerContext>();
    });
    onDiscord('GUILD_CREATE', (guild) => expectTypeOf(guild).toEqualTypeOf<GatewayGuildCreateDispatchData>());
    // @ts-expect-error: not a Discord dispatch name
    onDiscord('MESSAGE_CRATE', () => undefined);
  });

  it('types QQ payloads from our protocol types', () => {
    onQQ('GROUP_AT_MESSAGE_CREATE', (message, ctx) => {
      expectTypeOf(message).toEqualTypeOf<QQGroupAtMessage>();
      expectTypeOf(message.group_openid).toBeString();
      expectTypeOf(ctx.qq).toEqualTypeOf<QQOpenApi>();
    });
    onQQ('C2C_MESSAGE_CREATE', (message) => expectTypeOf(message).toEqualTypeOf<QQC2CMessage>());
    onQQ('AT_MESSAGE_CREATE', (message) => expectTypeOf(message).toEqualTypeOf<QQGuildMessage>());
    onQQ('INTERACTION_CREATE', (interaction) => expectTypeOf(interaction).toEqualTypeOf<QQInteraction>());
    // @ts-expect-error: a Discord event is not a QQ event
    onQQ('PRESENCE_UPDATE', () => undefined);
  });

  it('types a command interaction from its definition', () => {
    onCommand({ name: 'ping', description: 'p' }, (interaction, ctx) => {
      expectTypeOf(interaction).toEqualTypeOf<APIChatInputApplicationCommandInteraction>();
      expectTypeOf(ctx).toEqualTypeOf<InteractionContext<APIChatInputApplicationCommandInteraction>>();
      return ctx.reply('pong');
    });
    onCommand({ name: 'Inspect user', type: 2 as ApplicationCommandType.User }, (interaction, ctx) => {
      expectTypeOf(interaction).toEqualTypeOf<APIUserApplicationCommandInteraction>();
      return ctx.reply(interaction.data.target_id);
    });
    onCommand({ name: 'Quote', type: 3 as ApplicationCommandType.Message }, (interaction, ctx) => {
      expectTypeOf(interaction).toEqualTypeOf<APIMessageApplicationCommandInteraction>();
      return ctx.defer();
    });
    // @ts-expect-error: a handler must return an interaction response
    onCommand({ name: 'x', description: 'x' }, () => 'pong');
  });

  it('types component and modal handlers, which may also update their message', () => {
    onComponent('vote', (interaction, ctx) => {
      expectTypeOf(interaction).toEqualTypeOf<APIMessageComponentInteraction>();
      expectTypeOf(ctx).toEqualTypeOf<ComponentContext<APIMessageComponentInteraction>>();
      return ctx.update({ content: 'thanks' });
    });
    onModal('form', (interaction, ctx) => {
      expectTypeOf(interaction).toEqualTypeOf<APIModalSubmitInteraction>();
      return ctx.deferUpdate();
    });
    onCommand({ name: 'y', description: 'y' }, (_i, ctx) => {
      // @ts-expect-error: a command's context has no update (there is no message to update)
      return ctx.update('x');
    });
  });

  it('types gateway commands', () => {
    expectTypeOf<GatewayRequestGuildMembers>().toExtend<SendableGatewayCommand>();
    expectTypeOf<HandlerContext['gateway']['send']>().parameter(1).toEqualTypeOf<SendableGatewayCommand>();
  });
});
