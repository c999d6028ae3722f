// Public surface of sessions/: re-exports only.
export type { SessionStore, StoredSession } from './types.ts';
export { MemorySessionStore } from './memory.ts';
export { FileSessionStore, tokenFingerprint } from './file.ts';
export type { FileSessionStoreOptions } from './file.ts';
export { SessionTracker } from './tracker.ts';
export { parseSessionFile, SESSION_FILE_VERSION } from './format.ts';
