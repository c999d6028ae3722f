// Types of js-cache.mjs (plain JavaScript so it runs before any type stripping).
/** The cached JavaScript of `source` (a path under the package, e.g. 'shard-host/main.ts'), or null. */
export function cachedModule(source: string): string | null;
