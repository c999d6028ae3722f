// Multipart uploads as Discord reads them (Reference > Uploading Files): payload_json + files[n], the
// attachment description from attachments[].id, the 10 MiB per-file limit (413, 40005), 10 files at most.
import { afterEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../../emulator/index.ts';

let emu: Emulator | undefined;
afterEach(() => emu?.close());

async function upload(e: Emulator, form: FormData) {
  const channel = e.world.guilds[0]!.channels[0]!.id;
  const res = await fetch(`${e.apiUrl}/channels/${channel}/messages`, {
    method: 'POST',
    headers: { authorization: `Bot ${e.token}` },
    body: form,
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('REST uploads', () => {
  it('creates a message with attachments from files[n] and payload_json, and serves their bytes', async () => {
    const e = (emu = await startEmulator());
    const form = new FormData();
    form.append('payload_json', JSON.stringify({ content: 'two', attachments: [{ id: 1, description: 'second' }] }));
    form.append('files[0]', new Blob(['hello'], { type: 'text/plain' }), 'a.txt');
    form.append('files[1]', new Blob([new Uint8Array([1, 2, 3])]), 'b.bin');
    const { status, body } = await upload(e, form);
    expect(status).toBe(200);
    const attachments = body.attachments as {
      filename: string;
      size: number;
      content_type: string;
      description?: string;
      url: string;
    }[];
    expect(attachments.map((a) => [a.filename, a.size, a.content_type, a.description])).toEqual([
      ['a.txt', 5, 'text/plain', undefined],
      ['b.bin', 3, 'application/octet-stream', 'second'],
    ]);
    expect(await (await fetch(attachments[0]!.url)).text()).toBe('hello');
  });

  it('refuses a file over 10 MiB with 413 and code 40005, as Discord does', async () => {
    const e = (emu = await startEmulator());
    const form = new FormData();
    form.append('payload_json', JSON.stringify({ content: 'big' }));
    form.append('files[0]', new Blob([new Uint8Array(10 * 1024 * 1024 + 1)]), 'big.bin');
    expect(await upload(e, form)).toEqual({ status: 413, body: { message: 'Request entity too large', code: 40005 } });
  });

  it('refuses more than 10 files', async () => {
    const e = (emu = await startEmulator());
    const form = new FormData();
    for (let i = 0; i < 11; i++) form.append(`files[${i}]`, new Blob(['x']), `f${i}.txt`);
    expect(await upload(e, form)).toEqual({
      status: 400,
      body: { message: 'Invalid Form Body: at most 10 files per request', code: 50035 },
    });
  });
});
