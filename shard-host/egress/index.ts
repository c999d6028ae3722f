export { startEgressServer, type EgressOptions, type EgressServer } from './server.ts';
export { allowList, DEFAULT_ALLOWED_HOSTS } from './allow.ts';
