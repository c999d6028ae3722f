// Public surface of sessions/: re-exports only.
export { SessionTracker } from './tracker.ts';
