// The emulators that Miniflare's outboundService starts in vitest's main process (emulator-outbound.ts).
// vitest.config.ts is bundled on its own while global setup files go through Vite's module runner, so the
// two see different copies of every module: the table lives on globalThis, under one well-known key.
export interface Closable {
  close(): Promise<void>;
}

const KEY = Symbol.for('edgeshard.outbound-emulators');

export function outboundEmulators(): Map<string, Promise<Closable>> {
  const holder = globalThis as { [KEY]?: Map<string, Promise<Closable>> };
  return (holder[KEY] ??= new Map());
}

/**
 * Closes them at the end of the run (test/workers/global-setup.ts): their listening sockets would otherwise
 * keep vitest alive for its 10 s close timeout ("something prevents Vite server from exiting").
 */
export async function closeOutboundEmulators(): Promise<void> {
  const all = [...outboundEmulators().values()];
  outboundEmulators().clear();
  await Promise.all(all.map(async (emulator) => (await emulator).close()));
}
