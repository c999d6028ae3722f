// What `npm start` keeps between runs in .edgeshard/ (ignored by git): the emulator's bot token, stable per
// checkout, so the sessions stored under that token's fingerprint are this bot's at the next start (a token
// that changed every run made every start identify anew, with a warning).
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface LocalState {
  emulatorToken: string;
}

export function loadLocalState(dir: string): LocalState {
  const path = join(dir, 'local.json');
  try {
    const state = JSON.parse(readFileSync(path, 'utf8')) as Partial<LocalState>;
    if (typeof state.emulatorToken === 'string' && state.emulatorToken.length > 0)
      return { emulatorToken: state.emulatorToken };
  } catch {
    // absent or unreadable: make a new one below
  }
  const state: LocalState = { emulatorToken: `emulator-${randomBytes(12).toString('hex')}` };
  mkdirSync(dir, { recursive: true });
  writeFileSync(path, JSON.stringify(state, null, 2) + '\n', { mode: 0o600 });
  return state;
}
