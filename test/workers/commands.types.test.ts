// Type tests: a slash command's definition types its handler's options, subcommand handlers, autocomplete
// option names, and a component's custom_id arguments.
import type {
  APIAttachment,
  APIInteractionDataResolvedChannel,
  APIRole,
  RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord-api-types/v10';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { onCommand, onComponent, onModal, onSubcommands } from '../../workers/dispatch/registry.ts';
import { OPTION } from '../../workers/interactions/constants.ts';
import type { ArgsOf } from '../../workers/interactions/custom-id.ts';
import type { ResolvedMentionable, ResolvedUser } from '../../workers/interactions/options.ts';

const every = {
  name: 'every',
  description: 'one option of each type',
  options: [
    { name: 'text', description: 't', type: OPTION.String, required: true },
    {
      name: 'size',
      description: 's',
      type: OPTION.String,
      choices: [
        { name: 'S', value: 's' },
        { name: 'L', value: 'l' },
      ],
    },
    { name: 'count', description: 'c', type: OPTION.Integer, required: true },
    { name: 'ratio', description: 'r', type: OPTION.Number },
    {
      name: 'level',
      description: 'l',
      type: OPTION.Integer,
      choices: [
        { name: 'one', value: 1 },
        { name: 'two', value: 2 },
      ],
      required: true,
    },
    { name: 'flag', description: 'f', type: OPTION.Boolean },
    { name: 'who', description: 'w', type: OPTION.User, required: true },
    { name: 'where', description: 'w', type: OPTION.Channel },
    { name: 'role', description: 'r', type: OPTION.Role },
    { name: 'any', description: 'a', type: OPTION.Mentionable },
    { name: 'file', description: 'f', type: OPTION.Attachment, required: true },
    { name: 'city', description: 'c', type: OPTION.String, autocomplete: true },
  ],
} as const satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;

const admin = {
  name: 'admin',
  description: 'subcommands and a group',
  options: [
    {
      name: 'ban',
      description: 'b',
      type: OPTION.Subcommand,
      options: [
        { name: 'who', description: 'w', type: OPTION.User, required: true },
        { name: 'days', description: 'd', type: OPTION.Integer },
      ],
    },
    { name: 'ping', description: 'p', type: OPTION.Subcommand },
    {
      name: 'roles',
      description: 'r',
      type: OPTION.SubcommandGroup,
      options: [
        {
          name: 'add',
          description: 'a',
          type: OPTION.Subcommand,
          options: [{ name: 'role', description: 'r', type: OPTION.Role, required: true }],
        },
        {
          name: 'find',
          description: 'f',
          type: OPTION.Subcommand,
          options: [{ name: 'query', description: 'q', type: OPTION.String, autocomplete: true, required: true }],
        },
      ],
    },
  ],
} as const satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;

describe('typed commands', () => {
  it('types every option kind, required vs optional, choices as unions', () => {
    onCommand(every, (_interaction, ctx) => {
      expectTypeOf(ctx.options).toEqualTypeOf<{
        text: string;
        size?: 's' | 'l';
        count: number;
        ratio?: number;
        level: 1 | 2;
        flag?: boolean;
        who: ResolvedUser;
        where?: APIInteractionDataResolvedChannel;
        role?: APIRole;
        any?: ResolvedMentionable;
        file: APIAttachment;
        city?: string;
      }>();
      // @ts-expect-error: not an option of this command
      void ctx.options.nope;
      return ctx.reply(ctx.options.text);
    });
  });

  it('gives an autocomplete handler the focused option, named from the definition', () => {
    onCommand(every, (_i, ctx) => ctx.reply('x'), {
      autocomplete: (_interaction, ctx) => {
        expectTypeOf(ctx.focused.name).toEqualTypeOf<'city'>();
        expectTypeOf(ctx.focused.value).toBeString();
        return ctx.choices([]);
      },
    });
    onSubcommands(
      admin,
      {
        ban: (_i, c) => c.reply(''),
        ping: (_i, c) => c.reply(''),
        roles: { add: (_i, c) => c.reply(''), find: (_i, c) => c.reply('') },
      },
      {
        autocomplete: (_i, ctx) => {
          expectTypeOf(ctx.focused.name).toEqualTypeOf<'query'>();
          return ctx.choices([]);
        },
      },
    );
  });

  it('routes subcommands and groups to handlers typed with their own options', () => {
    onSubcommands(admin, {
      ban: (_i, ctx) => {
        expectTypeOf(ctx.options).toEqualTypeOf<{ who: ResolvedUser; days?: number }>();
        return ctx.reply('banned');
      },
      ping: (_i, ctx) => {
        expectTypeOf(ctx.options).toEqualTypeOf<{}>();
        return ctx.reply('pong');
      },
      roles: {
        add: (_i, ctx) => {
          expectTypeOf(ctx.options).toEqualTypeOf<{ role: APIRole }>();
          return ctx.reply('added');
        },
        find: (_i, ctx) => {
          expectTypeOf(ctx.options.query).toBeString();
          return ctx.reply('found');
        },
      },
    });
    expect(() =>
      onSubcommands(admin, {
        ban: (_i, c) => c.reply(''),
        ping: (_i, c) => c.reply(''),
        // @ts-expect-error: every subcommand needs a handler (roles.find is missing)
        roles: { add: (_i, c) => c.reply('') },
      }),
    ).toThrow('/admin roles find has no handler in onSubcommands');
  });

  it('types custom_id arguments from the pattern, and the builder takes the same', () => {
    expectTypeOf<ArgsOf<'vote:{choice}:{n:int}'>>().toEqualTypeOf<{ choice: string; n: number }>();
    expectTypeOf<ArgsOf<'vote'>>().toEqualTypeOf<{}>();
    const vote = onComponent('vote:{choice}:{n:int}', (_i, ctx) => {
      expectTypeOf(ctx.args).toEqualTypeOf<{ choice: string; n: number }>();
      return ctx.update(`${ctx.args.choice} ${ctx.args.n + 1}`);
    });
    expectTypeOf(vote.id).parameter(0).toEqualTypeOf<{ choice: string; n: number }>();
    // @ts-expect-error: n is a number
    vote.id({ choice: 'yes', n: 'three' });
    onModal('feedback:{topic}', (_i, ctx) => {
      expectTypeOf(ctx.args).toEqualTypeOf<{ topic: string }>();
      return ctx.reply('thanks');
    });
  });
});
