// Typed commands at run time: options read from the interaction (resolved users, roles, attachments),
// subcommands and groups routed to their handlers, the focused option for autocomplete, custom_id patterns.
import type { APIInteraction, RESTPostAPIChatInputApplicationCommandsJSONBody } from 'discord-api-types/v10';
import { describe, expect, it } from 'vitest';
import { onCommand, onComponent, onSubcommands, Registry } from '../../workers/dispatch/registry.ts';
import { OPTION } from '../../workers/interactions/constants.ts';
import { customIdPattern } from '../../workers/interactions/custom-id.ts';
import { commandInteraction, componentInteraction, fakeContext } from './interactions-fixtures.ts';

const user = { id: '111111111111111111', username: 'ada', discriminator: '0', global_name: 'Ada', avatar: null };
const role = {
  id: '222222222222222222',
  name: 'mods',
  color: 0,
  hoist: false,
  position: 1,
  permissions: '0',
  managed: false,
  mentionable: true,
  flags: 0,
};
const file = { id: '333333333333333333', filename: 'a.png', size: 3, url: 'u', proxy_url: 'p' };

function withData(name: string, data: Record<string, unknown>, type = 2): APIInteraction {
  const base = commandInteraction(name);
  return { ...base, type, data: { ...base.data, ...data } } as unknown as APIInteraction;
}

const config = {
  name: 'config',
  description: 'c',
  options: [
    { name: 'show', description: 's', type: OPTION.Subcommand },
    {
      name: 'roles',
      description: 'r',
      type: OPTION.SubcommandGroup,
      options: [
        {
          name: 'add',
          description: 'a',
          type: OPTION.Subcommand,
          options: [
            { name: 'role', description: 'r', type: OPTION.Role, required: true },
            { name: 'note', description: 'n', type: OPTION.String, autocomplete: true },
          ],
        },
      ],
    },
  ],
} as const satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;

describe('typed command options at run time', () => {
  it('reads every option kind, resolving users (with member), roles, mentionables and attachments', async () => {
    const { ctx } = fakeContext();
    let seen: unknown;
    const registry = new Registry([
      onCommand({ name: 'every', description: 'e' }, (_i, c) => ((seen = c.options), c.reply('ok'))),
    ]);
    const member = { roles: [], joined_at: '2024-01-01T00:00:00.000Z', permissions: '0', flags: 0 };
    await registry.interactions.route(
      withData('every', {
        options: [
          { name: 'text', type: 3, value: 'hi' },
          { name: 'n', type: 4, value: 7 },
          { name: 'flag', type: 5, value: false },
          { name: 'who', type: 6, value: user.id },
          { name: 'role', type: 8, value: role.id },
          { name: 'any', type: 9, value: role.id },
          { name: 'file', type: 11, value: file.id },
        ],
        resolved: {
          users: { [user.id]: user },
          members: { [user.id]: member },
          roles: { [role.id]: role },
          attachments: { [file.id]: file },
        },
      }),
      ctx,
    );
    expect(seen).toEqual({
      text: 'hi',
      n: 7,
      flag: false,
      who: { user, member },
      role,
      any: { kind: 'role', role },
      file,
    });
  });

  it("routes a subcommand in a group to its handler with that subcommand's options", async () => {
    const { ctx } = fakeContext();
    const calls: string[] = [];
    const registry = new Registry([
      onSubcommands(config, {
        show: (_i, c) => (calls.push('show'), c.reply('shown')),
        roles: {
          add: (_i, c) => (calls.push(`add ${c.options.role.name} ${c.options.note ?? '-'}`), c.reply('added')),
        },
      }),
    ]);
    const added = await registry.interactions.route(
      withData('config', {
        options: [
          {
            name: 'roles',
            type: 2,
            options: [{ name: 'add', type: 1, options: [{ name: 'role', type: 8, value: role.id }] }],
          },
        ],
        resolved: { roles: { [role.id]: role } },
      }),
      ctx,
    );
    const shown = await registry.interactions.route(
      withData('config', { options: [{ name: 'show', type: 1, options: [] }] }),
      ctx,
    );
    expect(added.response).toEqual({ type: 4, data: { content: 'added' } });
    expect(shown.response).toEqual({ type: 4, data: { content: 'shown' } });
    expect(calls).toEqual(['add mods -', 'show']);
  });

  it('refuses at startup a subcommand without a handler, naming it', () => {
    expect(() => onSubcommands(config, { show: () => ({ type: 1 }) } as never)).toThrow(
      '/config roles add has no handler in onSubcommands',
    );
  });

  it('hands autocomplete the focused option inside a subcommand', async () => {
    const { ctx } = fakeContext();
    const registry = new Registry([
      onSubcommands(
        config,
        { show: (_i, c) => c.reply(''), roles: { add: (_i, c) => c.reply('') } },
        {
          autocomplete: (_i, c) =>
            c.choices([{ name: `${c.focused.name}=${c.focused.value}`, value: c.focused.value }]),
        },
      ),
    ]);
    const outcome = await registry.interactions.route(
      withData(
        'config',
        {
          options: [
            {
              name: 'roles',
              type: 2,
              options: [{ name: 'add', type: 1, options: [{ name: 'note', type: 3, value: 'he', focused: true }] }],
            },
          ],
        },
        4,
      ),
      ctx,
    );
    expect(outcome.response).toEqual({ type: 8, data: { choices: [{ name: 'note=he', value: 'he' }] } });
  });
});

describe('custom_id patterns', () => {
  it('parses and builds typed arguments, and refuses what does not fit', () => {
    const vote = customIdPattern('vote:{choice}:{n:int}');
    expect(vote.key).toBe('vote');
    expect(vote.parse('vote:yes:3')).toEqual({ choice: 'yes', n: 3 });
    expect(vote.parse('vote:yes:three')).toBe(undefined);
    expect(vote.parse('vote:yes')).toBe(undefined);
    expect(vote.id({ choice: 'no', n: -2 })).toBe('vote:no:-2');
    expect(() => vote.id({ choice: 'a:b', n: 1 })).toThrow("custom_id argument choice may not contain ':'");
    expect(customIdPattern('plain').parse('plain:anything')).toEqual({});
    expect(() => customIdPattern('{x}:y')).toThrow('must start with a literal name');
  });

  it('routes by pattern and answers a custom_id that does not fit with the polite fallback', async () => {
    const { ctx } = fakeContext();
    const registry = new Registry([
      onComponent('vote:{choice}:{n:int}', (_i, c) => c.update(`${c.args.choice} #${c.args.n + 1}`)),
    ]);
    const ok = await registry.interactions.route(componentInteraction('vote:yes:1') as never, ctx);
    expect(ok).toEqual({ response: { type: 7, data: { content: 'yes #2' } }, handled: true, key: 'component:vote' });
    const bad = await registry.interactions.route(componentInteraction('vote:yes:x') as never, ctx);
    expect(bad.handled).toBe(false);
    expect(bad.key).toBe('component:vote:yes:x');
  });

  it('refuses two patterns with the same routing key', () => {
    const a = onComponent('vote:{a}', (_i, c) => c.update(''));
    const b = onComponent('vote', (_i, c) => c.update(''));
    expect(() => new Registry([a, b])).toThrow('two handlers for component "vote"');
  });
});

describe('the example bot', () => {
  it('publishes exactly the commands it handles (commands.ts and the handlers cannot drift apart)', async () => {
    const { handlers } = await import('../../workers/handlers/index.ts');
    const { commands } = await import('../../workers/handlers/commands.ts');
    const handled = new Registry(handlers).interactions.commands;
    expect(handled.map((c) => c.name).sort()).toEqual(commands.map((c) => c.name).sort());
    expect(handled.every((c) => commands.includes(c as (typeof commands)[number]))).toBe(true);
  });
});
