// Runs in vitest's main process around the workers project: closes the emulators that Miniflare's
// outboundService started there (scripts/lib/emulator-outbound.ts), so the run exits when the tests end.
import { closeOutboundEmulators } from '../../scripts/lib/outbound-emulators.ts';

export default function setup(): () => Promise<void> {
  return closeOutboundEmulators;
}
