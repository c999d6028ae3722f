// Request bodies as Discord reads them (Discord docs, Reference > Uploading Files): JSON, or
// multipart/form-data with the JSON in `payload_json` (or as plain fields) and each file in a `files[n]` part.
// Limits: 10 files per request; 10 MiB per file, Discord's default upload limit for bots (boosted guilds
// allow more; the emulator models an unboosted guild) — above it Discord answers 413 with code 40005.
import type { IncomingMessage } from 'node:http';
import { BodyError } from '../http.ts';

export const MAX_FILES = 10;
export const MAX_FILE_BYTES = 10 * 1024 * 1024;
/** A JSON body above this is refused with 413, as before uploads; multipart bodies may carry the files. */
const MAX_JSON_BYTES = 1024 * 1024;
const MAX_MULTIPART_BYTES = MAX_FILES * MAX_FILE_BYTES + MAX_JSON_BYTES;

export interface UploadedFile {
  /** The form field, e.g. `files[0]`. */
  field: string;
  /** n of `files[n]`, which `attachments[].id` in payload_json refers to. */
  index: number;
  filename: string;
  contentType: string;
  bytes: Uint8Array;
}

export interface ParsedBody {
  json: unknown;
  files: UploadedFile[];
}

/** Thrown for an upload Discord refuses with a JSON error (status, Discord code, message). */
export class UploadError extends Error {
  readonly status: number;
  readonly code: number;
  constructor(status: number, code: number, message: string) {
    super(message);
    this.name = 'UploadError';
    this.status = status;
    this.code = code;
  }
}

async function readBytes(req: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new UploadError(413, 40005, 'Request entity too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function parseJsonText(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new BodyError(400, 'The request body contains invalid JSON.');
  }
}

export async function readRequestBody(req: IncomingMessage): Promise<ParsedBody> {
  const type = req.headers['content-type'] ?? '';
  if (!type.toLowerCase().startsWith('multipart/form-data')) {
    const bytes = await readBytes(req, MAX_JSON_BYTES).catch((err: unknown) => {
      if (err instanceof UploadError) throw new BodyError(413, 'Request entity too large');
      throw err;
    });
    return { json: parseJsonText(bytes.toString('utf8')), files: [] };
  }
  const bytes = await readBytes(req, MAX_MULTIPART_BYTES);
  let form: FormData;
  try {
    form = await new Response(bytes, { headers: { 'content-type': type } }).formData();
  } catch {
    throw new BodyError(400, 'The multipart body could not be parsed.');
  }
  const files: UploadedFile[] = [];
  const fields: Record<string, unknown> = {};
  let json: unknown;
  for (const [name, value] of form.entries()) {
    if (typeof value === 'string') {
      if (name === 'payload_json') json = parseJsonText(value);
      else fields[name] = value;
      continue;
    }
    const match = /^files\[(\d+)\]$/.exec(name) ?? /^file(\d*)$/.exec(name);
    if (!match) throw new UploadError(400, 50035, `Invalid Form Body: unexpected file field "${name}"`);
    if (value.size > MAX_FILE_BYTES) throw new UploadError(413, 40005, 'Request entity too large');
    files.push({
      field: name,
      index: Number(match[1] || 0),
      filename: value.name,
      contentType: value.type || 'application/octet-stream',
      bytes: new Uint8Array(await value.arrayBuffer()),
    });
  }
  if (files.length > MAX_FILES)
    throw new UploadError(400, 50035, `Invalid Form Body: at most ${MAX_FILES} files per request`);
  return { json: json ?? (Object.keys(fields).length > 0 ? fields : undefined), files };
}
