// The host's type-stripped JavaScript cache (shard-host/js-cache.mjs): built once, same modules as the
// sources, relative imports pointing at .js, the same directory on a second call.
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cachedModule } from '../../../shard-host/js-cache.mjs';
import * as events from '../../../protocol/events.ts';

describe('the host JavaScript cache', () => {
  it('holds every host module as JavaScript, with relative imports rewritten to .js', async () => {
    const main = cachedModule('shard-host/main.ts');
    expect(main).toMatch(/\.edgeshard\/js-cache\/[0-9a-f]{16}\/shard-host\/main\.js$/);
    expect(cachedModule('shard-host/main.ts')).toBe(main);
    const source = readFileSync(main!, 'utf8');
    expect(source).toContain("from './config.js'");
    expect(source).not.toMatch(/from '\.{1,2}\/[^']+\.ts'/);
    const cachedEvents = cachedModule('protocol/events.ts')!;
    const mod = (await import(pathToFileURL(cachedEvents).href)) as typeof events;
    expect(mod.PROTOCOL_VERSION).toBe(events.PROTOCOL_VERSION);
    expect(mod.eventId('discord', 1, 's', 2)).toBe(events.eventId('discord', 1, 's', 2));
  });

  it('a file outside the host sources has no cached copy', () => {
    expect(cachedModule('emulator/bin.ts')).toBe(null);
  });
});
