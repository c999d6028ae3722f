// JSON calls to the emulator's control API for the e2e harnesses; a non-2xx answer fails with its body.
export type EmulatorCall = <T>(path: string, init?: RequestInit) => Promise<T>;

export function emulatorCall(baseUrl: string): EmulatorCall {
  return async <T>(path: string, init?: RequestInit): Promise<T> => {
    const res = await fetch(`${baseUrl}${path}`, init);
    if (!res.ok) throw new Error(`emulator ${path} answered ${res.status}: ${await res.text()}`);
    return (await res.json()) as T;
  };
}
