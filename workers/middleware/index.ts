export { bearer, authorizationToken } from './bearer.ts';
export { bodyLimit, bodyText } from './body-limit.ts';
export { withConfig } from './config.ts';
export { hostHmac } from './host-hmac.ts';
export { platformSignature, assertFresh } from './platform-signature.ts';
export { timingSafeEqual, matchesAny } from './timing-safe.ts';
export type { AppEnv } from './types.ts';
