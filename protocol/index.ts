export * from './errors.ts';
export * from './events.ts';
export * from './signing.ts';
export * from './lease.ts';
export * from './gateway-url.ts';
