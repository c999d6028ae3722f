// Multipart bodies for file uploads (Discord docs, Reference > Uploading Files): each file in its own part
// (`files[n]`, with a filename), the JSON in a `payload_json` part. Serialised to bytes here, once, so the
// same body works for a direct fetch, the egress relay (which carries bytes), and every retry.
import { EdgeshardError, ERROR_CODES } from '../../protocol/index.ts';
import type { RestRequest } from './types.ts';

/** Discord's attachment count per message (Resources > Message > Create Message: "up to 10 files"). */
export const MAX_FILES = 10;
/**
 * Our ceiling on one upload, all parts together. Discord's per-file limit is 10 MiB by default and higher in
 * boosted guilds (Discord answers 40005 above the guild's limit); a Durable Object RPC message may carry
 * 32 MiB, so 25 MiB leaves room for the envelope.
 */
export const MAX_UPLOAD_BYTES = 25 * 1024 * 1024;

export async function multipartBody(req: RestRequest): Promise<{ body: ArrayBuffer; contentType: string }> {
  const files = req.files ?? [];
  if (files.length > MAX_FILES)
    throw new EdgeshardError(
      ERROR_CODES.BODY_TOO_LARGE,
      `${req.method} ${req.path}: ${files.length} files; Discord takes at most ${MAX_FILES} per request, send them in several messages`,
    );
  const total = files.reduce((n, f) => n + f.bytes.byteLength, 0);
  if (total > MAX_UPLOAD_BYTES)
    throw new EdgeshardError(
      ERROR_CODES.BODY_TOO_LARGE,
      `${req.method} ${req.path}: ${total} bytes of files; the REST proxy carries at most ${MAX_UPLOAD_BYTES} per request`,
    );
  const form = new FormData();
  for (const file of files) {
    const blob = new Blob([file.bytes], file.contentType ? { type: file.contentType } : {});
    form.append(file.field, blob, file.filename);
  }
  for (const [name, value] of Object.entries(req.form ?? {})) form.append(name, value);
  if (req.body !== undefined && !req.form) {
    form.append('payload_json', typeof req.body === 'string' ? req.body : new TextDecoder().decode(req.body));
  }
  const encoded = new Response(form);
  return { body: await encoded.arrayBuffer(), contentType: encoded.headers.get('content-type')! };
}
