// What @discordjs/core's `API` imports from @discordjs/rest at run time: makeURLSearchParams, nothing else.
// wrangler.toml aliases "@discordjs/rest" to this file, so the Worker bundle does not carry @discordjs/rest's
// own client (its queues, undici fallbacks, util inspect: 270 KB of source we never call; bench/RESULTS.md,
// Handler API). Same behaviour as @discordjs/rest 2.6 src/lib/utils/utils.ts (Apache-2.0).

function serializeSearchParam(value: unknown): string | null {
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
    case 'bigint':
    case 'boolean':
      return value.toString();
    case 'object':
      if (value === null) return null;
      if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
      if (typeof value.toString === 'function' && value.toString !== Object.prototype.toString) return value.toString();
      return null;
    default:
      return null;
  }
}

/** Query parameters from an object: arrays repeat the key (or join with commas), undefined and null are left out. */
export function makeURLSearchParams(
  parameters?: Record<string, unknown>,
  options: { arrayFormat?: 'repeat' | 'comma' } = {},
): URLSearchParams {
  const params = new URLSearchParams();
  if (!parameters) return params;
  const { arrayFormat = 'repeat' } = options;
  for (const [key, value] of Object.entries(parameters)) {
    if (Array.isArray(value)) {
      const joined: string[] = [];
      for (const element of value) {
        const serialized = serializeSearchParam(element);
        if (serialized === null) continue;
        if (arrayFormat === 'comma') joined.push(serialized);
        else params.append(key, serialized);
      }
      if (joined.length > 0) params.append(key, joined.join(','));
      continue;
    }
    const serialized = serializeSearchParam(value);
    if (serialized !== null) params.append(key, serialized);
  }
  return params;
}
