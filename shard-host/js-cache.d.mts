// Types of js-cache.mjs (plain JavaScript so it runs before any type stripping).
/** The directories the host's module graph lives in. */
export const HOST_SOURCES: readonly string[];
/** The cached JavaScript of `source` (a path under the package, e.g. 'shard-host/main.ts'), or null.
 *  `sources`: the directories its module graph lives in (default: the host's). */
export function cachedModule(source: string, sources?: readonly string[]): string | null;
