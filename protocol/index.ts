export * from './errors.ts';
export * from './events.ts';
export * from './signing.ts';
export * from './lease.ts';
