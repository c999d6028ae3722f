import { describe, expect, it } from 'vitest';
import { onDiscord, onQQ, Registry } from '../../workers/dispatch/registry.ts';
import { commands } from '../../workers/handlers/commands.ts';
import { handlers } from '../../workers/handlers/index.ts';
import { fakeContext } from './interactions-fixtures.ts';

describe('Registry', () => {
  it('runs every handler of an event, per platform, and one failure does not stop the others', async () => {
    const seen: string[] = [];
    const registry = new Registry([
      onDiscord('MESSAGE_CREATE', () => void seen.push('d1')),
      onDiscord('MESSAGE_CREATE', () => {
        throw new Error('x');
      }),
      onDiscord('MESSAGE_CREATE', async () => void seen.push('d3')),
      onQQ('MESSAGE_CREATE', () => void seen.push('qq')),
    ]);
    const { ctx } = fakeContext();
    const outcome = await registry.dispatch({ platform: 'discord', type: 'MESSAGE_CREATE', data: {} }, ctx);
    expect(outcome.handled).toBe(3);
    expect(outcome.errors).toHaveLength(1);
    expect(seen).toEqual(['d1', 'd3']);
  });

  it('counts unhandled event types as no-ops, per platform and type', async () => {
    const registry = new Registry([onDiscord('MESSAGE_CREATE', () => undefined)]);
    const { ctx } = fakeContext();
    for (const type of ['TYPING_START', 'TYPING_START', 'GUILD_CREATE']) {
      expect(await registry.dispatch({ platform: 'discord', type, data: {} }, ctx)).toEqual({ handled: 0, errors: [] });
    }
    await registry.dispatch({ platform: 'qq', type: 'MESSAGE_CREATE', data: {} }, ctx);
    expect(Object.fromEntries(registry.unhandled)).toEqual({
      'discord:TYPING_START': 2,
      'discord:GUILD_CREATE': 1,
      'qq:MESSAGE_CREATE': 1,
    });
  });

  it('publishes exactly the commands the example bot handles (npm run register reads commands.ts)', () => {
    const registry = new Registry(handlers);
    expect(registry.interactions.commands.map((c) => c.name).sort()).toEqual(commands.map((c) => c.name).sort());
  });
});
