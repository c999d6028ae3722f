// The one constant-time comparison of secrets in the Worker (status token, REST proxy credentials, bearer
// tokens). Both sides are hashed first, so neither the content nor the length of the secret leaks through
// timing; crypto.subtle.timingSafeEqual then compares the equal-length digests.
const encoder = new TextEncoder();
const digests = new Map<string, Promise<ArrayBuffer>>();

function digest(value: string, cache: boolean): Promise<ArrayBuffer> {
  if (!cache) return crypto.subtle.digest('SHA-256', encoder.encode(value));
  let d = digests.get(value);
  if (!d) {
    if (digests.size >= 16) digests.clear(); // secrets rotated many times: start over
    d = crypto.subtle.digest('SHA-256', encoder.encode(value));
    digests.set(value, d);
  }
  return d;
}

/** `presented` comes from the caller (not cached); `expected` is our secret (its digest is cached). */
export async function timingSafeEqual(presented: string, expected: string): Promise<boolean> {
  const [a, b] = await Promise.all([digest(presented, false), digest(expected, true)]);
  return crypto.subtle.timingSafeEqual(a, b);
}

/** True when `presented` equals any of `accepted`; every candidate is compared (no early exit). */
export async function matchesAny(presented: string, accepted: readonly string[]): Promise<boolean> {
  let hit = false;
  for (const secret of accepted) if (await timingSafeEqual(presented, secret)) hit = true;
  return hit;
}
